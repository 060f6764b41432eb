/**
 * Our `gpu-device-plugin mps-control-daemon` against NVIDIA's mps-control-daemon v0.20.0
 * (built from ../shared/peers by test/tools/peers.sh), both on the fake NVML with the same
 * config and the same fake `nvidia-cuda-mps-control` (and a fake `nvidia-smi`, which
 * NVIDIA's calls to set the compute mode). NVIDIA's binary writes to a hard-coded /mps, so it
 * runs in its own mount namespace (`unshare -m`, root) with a temporary directory bound
 * there; the test creates an empty /mps mount point on the host when there is none.
 * Compared: every nvidia-cuda-mps-control call (args, the two MPS env vars, stdin, PATH
 * passed or not), the marker files, and what SIGTERM leaves behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFakeNvml, defaultSpec, writeFakeNvmlConfig } from '../helpers/fake-nvml';
import { writeFakeMpsControl, type FakeMpsControl } from '../helpers/fake-mps-control';
import { PluginProcess } from '../integration/plugin-process';
import { peerPath } from '../../helpers/tools';

jest.setTimeout(180000);

const CONFIG = `version: v1
flags:
  mpsRoot: /run/nvidia/mps
sharing:
  mps:
    resources:
      - name: nvidia.com/gpu
        replicas: 4
`;

function peer(name: string): string {
  return peerPath(name, `NVIDIA's ${name}`, 'the MPS daemons cannot be compared');
}

interface Run {
  root: string;
  fake: FakeMpsControl;
  smiCalls: string[];
  /** Files and directories under the root while running, relative. */
  treeRunning: string[];
  treeStopped: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
  log: string;
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = path.relative(root, path.join(dir, e.name));
      // The fake's own bookkeeping, not the daemon's.
      if (e.name.startsWith('fake-')) continue;
      out.push(e.isDirectory() ? `${rel}/` : rel);
      if (e.isDirectory()) walk(path.join(dir, e.name));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

async function waitFor(what: string, check: () => boolean, log: () => string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function setup(name: string): {
  dir: string;
  root: string;
  fake: FakeMpsControl;
  smiRecord: string;
  env: Record<string, string>;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mps-parity-${name}-`));
  const nvml = writeFakeNvmlConfig(dir, defaultSpec(2));
  fs.writeFileSync(path.join(dir, 'config.yaml'), CONFIG);
  const fake = writeFakeMpsControl(dir);
  const smiRecord = path.join(dir, 'nvidia-smi-calls');
  fs.writeFileSync(path.join(fake.binDir, 'nvidia-smi'), `#!/bin/bash\necho "$*" >> ${JSON.stringify(smiRecord)}\n`, {
    mode: 0o755,
  });
  const root = path.join(dir, 'mps');
  fs.mkdirSync(root);
  return {
    dir,
    root,
    fake,
    smiRecord,
    env: {
      PATH: `${fake.binDir}:/usr/bin:/bin`,
      FAKE_NVML_CONFIG: nvml.configPath,
      GPU_DEVICE_PLUGIN_SYSFS_ROOT: nvml.sysfsRoot,
      CONFIG_FILE: path.join(dir, 'config.yaml'),
    },
  };
}

async function runDaemon(name: string, start: (s: ReturnType<typeof setup>) => ChildProcess): Promise<Run> {
  const s = setup(name);
  const child = start(s);
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    await waitFor(
      `${name}: ${s.root}/.ready`,
      () => fs.existsSync(path.join(s.root, '.ready')),
      () => log,
    );
    const treeRunning = tree(s.root);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    const exit = await exited;
    clearTimeout(timer);
    const smiCalls = fs.existsSync(s.smiRecord) ? fs.readFileSync(s.smiRecord, 'utf8').split('\n').filter(Boolean) : [];
    return { root: s.root, fake: s.fake, smiCalls, treeRunning, treeStopped: tree(s.root), exit, log };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Calls with the root replaced by <root>, so the two runs compare. */
function normalizedCalls(run: Run, seenAs = run.root): unknown[] {
  const norm = (p: string) => (p.startsWith(`${seenAs}/`) ? `<root>${p.slice(seenAs.length)}` : p);
  return run.fake.calls().map((c) => ({ ...c, pipeDir: norm(c.pipeDir), logDir: norm(c.logDir) }));
}

let ours: Run;
let nvidia: Run;

beforeAll(async () => {
  const nvidiaBin = peer('mps-control-daemon');
  const library = buildFakeNvml();
  if (!fs.existsSync('/mps')) fs.mkdirSync('/mps');
  nvidia = await runDaemon('nvidia', (s) =>
    spawn(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /mps && exec "$1"', s.root, nvidiaBin],
      { env: { ...s.env, LD_LIBRARY_PATH: path.dirname(library) }, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  ours = await runDaemon('ours', (s) => {
    const p = PluginProcess.start(['mps-control-daemon'], {
      ...s.env,
      NVML_LIBRARY_PATH: library,
      GPU_DEVICE_PLUGIN_MPS_CONTAINER_ROOT: s.root,
    });
    return p.child;
  });
});

describe("MPS control daemon: ours and NVIDIA's on the same node", () => {
  it('make the same nvidia-cuda-mps-control calls, with the same env, in the same order', () => {
    // NVIDIA's sees its root (bound from a temporary directory) at /mps.
    expect(normalizedCalls(nvidia, '/mps').length).toBeGreaterThan(0);
    // NVIDIA's sets the pinned memory limits from a Go map: their order varies between runs.
    const sortLimits = (calls: any[]) => {
      const limits = calls
        .filter((c) => c.input.startsWith('set_default_device_pinned_mem_limit'))
        .sort((a, b) => a.input.localeCompare(b.input));
      let i = 0;
      return calls.map((c) => (c.input.startsWith('set_default_device_pinned_mem_limit') ? limits[i++] : c));
    };
    expect(sortLimits(normalizedCalls(ours) as any[])).toEqual(sortLimits(normalizedCalls(nvidia, '/mps') as any[]));
  });

  it('leave the same files while running (.ready, per-resource .started, pipe and log directories)', () => {
    expect(nvidia.treeRunning).toContain('.ready');
    expect(ours.treeRunning).toEqual(nvidia.treeRunning);
  });

  it('SIGTERM: both exit 0 and remove .ready, .started and the log directory', () => {
    expect(nvidia.exit).toEqual({ code: 0, signal: null });
    expect(ours.exit).toEqual({ code: 0, signal: null });
    expect(ours.treeStopped).toEqual(nvidia.treeStopped);
  });

  it("documented difference: NVIDIA's sets EXCLUSIVE_PROCESS compute mode through nvidia-smi; ours does not", () => {
    expect(nvidia.smiCalls).toEqual(
      expect.arrayContaining([expect.stringMatching(/-c EXCLUSIVE_PROCESS$/), expect.stringMatching(/-c DEFAULT$/)]),
    );
    expect(ours.smiCalls).toEqual([]);
  });
});
