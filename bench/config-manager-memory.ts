/**
 * `npm run bench:config-manager`: what following the node label costs in memory, side by side
 * with NVIDIA's. On one private real kube-apiserver (test/plugin/helpers/apiserver.ts) and the
 * same fake 8-GPU node:
 *   - our plugin with one --config-file, switched 4 times by SIGHUP (symlink swapped),
 *   - our plugin with --config-dir, switched 4 times by the node label (its built-in manager),
 *   - NVIDIA's config-manager v0.20.0 (test/tools/peers.sh config-manager) following the same
 *     label through the same 4 switches: in NVIDIA's chart it runs as a second process (the
 *     sidecar) next to the plugin, so its whole RSS is what the feature adds there.
 * VmRSS is read 2 s after the last switch. Prints a markdown table of medians over BENCH_RUNS
 * (default 3). Not part of `npm run bench`: it needs etcd and kube-apiserver, which would make
 * that bench fragile. Figures only, no pass or fail.
 */
import './support/nodenext-resolve';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec } from '../test/plugin/helpers/fake-nvml';
import { TestApiServer } from '../test/plugin/helpers/apiserver';
import { startNode } from '../test/plugin/integration/plugin-process';
import { rssMiB } from './support/proc';
import { median } from './support/stats';
import { peerPath } from '../test/helpers/tools';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const LABEL = 'nvidia.com/device-plugin.config';
const NODE = 'bench-node';
const WHOLE = 'version: v1\nflags:\n  migStrategy: none\n';
const SLICED =
  'version: v1\nsharing:\n  timeSlicing:\n    resources:\n      - name: nvidia.com/gpu\n        replicas: 4\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function configDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cfg-'));
  fs.writeFileSync(path.join(dir, 'whole'), WHOLE);
  fs.writeFileSync(path.join(dir, 'sliced-4'), SLICED);
  return dir;
}

/** Our plugin, one config file, 4 switches by SIGHUP. */
async function ourWithoutManager(): Promise<number> {
  const dir = configDir();
  const link = path.join(dir, 'config.yaml');
  fs.symlinkSync(path.join(dir, 'whole'), link);
  const n = await startNode(defaultSpec(8), { env: { CONFIG_FILE: link } });
  try {
    await n.stub.waitForResources(['nvidia.com/gpu'], 30000);
    for (let i = 0; i < 4; i++) {
      const next = i % 2 === 0 ? 'sliced-4' : 'whole';
      fs.rmSync(link);
      fs.symlinkSync(path.join(dir, next), link);
      n.plugin.signal('SIGHUP');
      const want = next === 'whole' ? 8 : 32;
      await until('SIGHUP switch', () => n.stub.latest('nvidia.com/gpu')?.length === want);
    }
    await sleep(2000);
    return rssMiB(n.plugin.child.pid!);
  } finally {
    await n.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Our plugin with --config-dir, 4 switches by the node label. */
async function ourWithManager(api: TestApiServer): Promise<number> {
  const dir = configDir();
  api.label(NODE, LABEL, undefined);
  const n = await startNode(defaultSpec(8), {
    env: { CONFIG_DIR: dir, NODE_NAME: NODE, KUBECONFIG: api.kubeconfig, DEFAULT_CONFIG: 'whole' },
  });
  try {
    await n.stub.waitForResources(['nvidia.com/gpu'], 30000);
    for (let i = 0; i < 4; i++) {
      const sliced = i % 2 === 0;
      api.label(NODE, LABEL, sliced ? 'sliced-4' : undefined);
      await until('label switch', () => n.stub.latest('nvidia.com/gpu')?.length === (sliced ? 32 : 8));
    }
    await sleep(2000);
    return rssMiB(n.plugin.child.pid!);
  } finally {
    await n.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** NVIDIA's config-manager sidecar following the same label through the same switches. */
async function nvidiaSidecar(api: TestApiServer, bin: string): Promise<number> {
  const dir = configDir();
  const dst = path.join(os.tmpdir(), `bench-dst-${process.pid}.yaml`);
  fs.rmSync(dst, { force: true });
  api.label(NODE, LABEL, undefined);
  const child = spawn(
    bin,
    [
      `--kubeconfig=${api.kubeconfig}`,
      `--node-name=${NODE}`,
      `--node-label=${LABEL}`,
      `--config-file-srcdir=${dir}`,
      `--config-file-dst=${dst}`,
      '--default-config=whole',
      '--send-signal=false',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const target = (): string => (fs.existsSync(dst) ? path.basename(fs.readlinkSync(dst)) : '');
    await until("NVIDIA's first config", () => target() === 'whole');
    for (let i = 0; i < 4; i++) {
      const sliced = i % 2 === 0;
      api.label(NODE, LABEL, sliced ? 'sliced-4' : undefined);
      await until(`NVIDIA's switch ${i + 1} (${log.slice(-300)})`, () => target() === (sliced ? 'sliced-4' : 'whole'));
    }
    await sleep(2000);
    return rssMiB(child.pid!);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dst, { force: true });
  }
}

async function main(): Promise<void> {
  const bin = peerPath('config-manager', "NVIDIA's config-manager", 'its memory cannot be measured');
  const api = await TestApiServer.start();
  const figures = { without: [] as number[], with: [] as number[], nvidia: [] as number[] };
  try {
    api.createNode(NODE);
    for (let run = 0; run < RUNS; run++) {
      figures.without.push(await ourWithoutManager());
      figures.with.push(await ourWithManager(api));
      figures.nvidia.push(await nvidiaSidecar(api, bin));
      process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
    }
  } finally {
    await api.stop();
  }
  const m = (xs: number[]): string => median(xs).toFixed(1);
  const all = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  const added = median(figures.with) - median(figures.without);
  const lines = [
    `Config manager memory (VmRSS, MiB; median of ${RUNS} runs; fake 8-GPU node; 4 config switches each; ${os.cpus().length} cores; node ${process.version})`,
    '',
    '| process | RSS (MiB) | runs |',
    '|---|---:|---|',
    `| our plugin, --config-file, 4 SIGHUP switches | ${m(figures.without)} | ${all(figures.without)} |`,
    `| our plugin, --config-dir following the node label, 4 label switches | ${m(figures.with)} | ${all(figures.with)} |`,
    `| → added by our built-in config manager | ${added.toFixed(1)} | |`,
    `| NVIDIA's config-manager v0.20.0 sidecar, same 4 label switches (a second process in NVIDIA's chart) | ${m(figures.nvidia)} | ${all(figures.nvidia)} |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err) => {
  process.stderr.write(`bench:config-manager failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
