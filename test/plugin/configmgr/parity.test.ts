/**
 * Parity with NVIDIA's REAL config-manager v0.20.0 (test/tools/peers.sh config-manager, built
 * from ../shared/peers): for each label / default / fallback case, its run (see nvidiaChoice) and our
 * ConfigManager read the same Node on the same real kube-apiserver and the same mounted-
 * ConfigMap-shaped directory; the chosen config names must match. Where NVIDIA's exits with an
 * error (a label or default naming no config), ours serves the next choice with a warning: those
 * rows assert NVIDIA's failure and our documented choice, so a change on either side shows.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { kubeconfigConnection } from '../../../plugin/src/configmgr/kube-client';
import { ConfigManager, NoConfigError } from '../../../plugin/src/configmgr/manager';
import { createLogger } from '../../../plugin/src/observability/logger';
import { TestApiServer } from '../helpers/apiserver';
import { peerPath } from '../../helpers/tools';

jest.setTimeout(180000);

const LABEL = 'nvidia.com/device-plugin.config';
const NODE = 'parity-node';

interface Case {
  title: string;
  configs: string[];
  label?: string;
  defaultConfig?: string;
  fallback: string[];
  /** What NVIDIA's chooses; 'error' = it exits 1. */
  nvidia: string | null | 'error';
  /** Ours, when it differs (only where NVIDIA's exits). */
  ours?: string | null | 'error';
}

const CASES: Case[] = [
  {
    title: 'label set',
    configs: ['default', 'sliced-4', 'whole'],
    label: 'sliced-4',
    defaultConfig: 'whole',
    fallback: ['named'],
    nvidia: 'sliced-4',
  },
  {
    title: 'label unset, default given',
    configs: ['default', 'sliced-4', 'whole'],
    defaultConfig: 'whole',
    fallback: ['named'],
    nvidia: 'whole',
  },
  { title: 'fallback named', configs: ['default', 'sliced-4'], fallback: ['named', 'single'], nvidia: 'default' },
  { title: 'fallback single', configs: ['whole'], fallback: ['named', 'single'], nvidia: 'whole' },
  {
    title: 'fallback single fails, then named',
    configs: ['default', 'x'],
    fallback: ['single', 'named'],
    nvidia: 'default',
  },
  { title: 'fallback empty', configs: ['a', 'b'], fallback: ['named', 'single', 'empty'], nvidia: null },
  { title: 'every fallback fails', configs: ['a', 'b'], fallback: ['named', 'single'], nvidia: 'error', ours: 'error' },
  {
    title: 'label names no config (ours: the default, a warning)',
    configs: ['sliced-4', 'whole'],
    label: 'typo',
    defaultConfig: 'whole',
    fallback: ['named'],
    nvidia: 'error',
    ours: 'whole',
  },
  {
    title: 'default names no config (ours: the fallbacks)',
    configs: ['default', 'whole'],
    defaultConfig: 'gone',
    fallback: ['named'],
    nvidia: 'error',
    ours: 'default',
  },
];

/** A directory shaped like a mounted ConfigMap: keys are symlinks into ..data. */
function configMapDir(parent: string, names: string[]): string {
  const dir = join(parent, 'configs');
  const stamp = '..2026_12_06_00_00_00.000000001';
  mkdirSync(join(dir, stamp), { recursive: true });
  for (const name of names) {
    writeFileSync(join(dir, stamp, name), `version: v1\nflags:\n  migStrategy: none\n# ${name}\n`);
    symlinkSync(`..data/${name}`, join(dir, name));
  }
  symlinkSync(stamp, join(dir, '..data'));
  return dir;
}

/**
 * NVIDIA's choice. With the label unset, its `--oneshot` run (what its chart's init container
 * runs). With a label, its continuous run until it has handled that label: its --oneshot reads
 * the label before its informer has listed the Node (SyncableConfig.Get returns the initial ""
 * at once), so it chooses as if the label were unset; the test asserts that too.
 */
async function nvidiaChoice(
  bin: string,
  kubeconfig: string,
  dir: string,
  c: Case,
  oneshot: boolean,
): Promise<string | null | 'error'> {
  const dst = join(dir, '..', 'config.yaml');
  rmSync(dst, { force: true });
  const args = [
    ...(oneshot ? ['--oneshot'] : []),
    `--kubeconfig=${kubeconfig}`,
    `--node-name=${NODE}`,
    `--node-label=${LABEL}`,
    `--config-file-srcdir=${dir}`,
    `--config-file-dst=${dst}`,
    '--send-signal=false',
    `--fallback-strategies=${c.fallback.join(',')}`,
    ...(c.defaultConfig ? [`--default-config=${c.defaultConfig}`] : []),
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60000;
  let code: number | null | undefined;
  for (;;) {
    code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
    if (code !== undefined) break;
    // Continuous mode: the label was handled once a later line follows its "Label change detected".
    const at = log.indexOf(`Label change detected: ${LABEL}=${c.label}`);
    if (!oneshot && at >= 0 && /Waiting for change/.test(log.slice(at))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`NVIDIA's config-manager did not handle the label within 60 s:\n${log}`);
    }
  }
  if (code === undefined) {
    child.kill('SIGTERM');
    await exited;
  } else if (code !== 0) {
    return 'error';
  }
  const target = readlinkSync(dst);
  return target === '/dev/null' ? null : basename(target);
}

async function ourChoice(kubeconfig: string, dir: string, c: Case): Promise<string | null | 'error'> {
  const manager = new ConfigManager({
    options: {
      dir,
      nodeName: NODE,
      nodeLabel: LABEL,
      fallbackStrategies: c.fallback as Array<'named' | 'single' | 'empty'>,
      ...(c.defaultConfig ? { defaultConfig: c.defaultConfig } : {}),
    },
    connection: kubeconfigConnection(kubeconfig),
    logger: createLogger({ level: 'silent' }),
    onChange: () => undefined,
  });
  try {
    return (await manager.start()).name;
  } catch (err) {
    if (err instanceof NoConfigError) return 'error';
    throw err;
  } finally {
    await manager.stop();
  }
}

describe("config selection: ours and NVIDIA's config-manager on the same kube-apiserver", () => {
  let api: TestApiServer;
  let bin: string;
  const results: string[] = [];

  beforeAll(async () => {
    bin = peerPath('config-manager', "NVIDIA's config-manager", 'its config selection cannot be compared');
    api = await TestApiServer.start();
    api.createNode(NODE);
  });

  afterAll(async () => {
    process.stdout.write(`\nconfig selection parity:\n${results.join('\n')}\n`);
    await api?.stop();
  });

  test.each(CASES.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    api.label(NODE, LABEL, c.label);
    const scratch = mkdtempSync(join(tmpdir(), 'parity-cfg-'));
    try {
      const dir = configMapDir(scratch, c.configs);
      const theirs = await nvidiaChoice(bin, api.kubeconfig, dir, c, c.label === undefined);
      const ours = await ourChoice(api.kubeconfig, dir, c);
      results.push(`  ${c.title.padEnd(55)} NVIDIA: ${String(theirs).padEnd(9)} ours: ${String(ours)}`);
      if (c.label !== undefined) {
        // Its init container's view: --oneshot with the label set.
        const oneshot = await nvidiaChoice(bin, api.kubeconfig, dir, c, true);
        results.push(`  ${''.padEnd(55)} NVIDIA --oneshot (init container): ${String(oneshot)}`);
      }
      expect(theirs).toBe(c.nvidia);
      expect(ours).toBe(c.ours === undefined ? c.nvidia : c.ours);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
