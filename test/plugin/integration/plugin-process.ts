/**
 * Runs the REAL plugin: `tsc -p plugin/tsconfig.json` and the bundle step
 * (plugin/scripts/bundle.js) once per test run (guarded by a lock directory and a stamp
 * file, since jest may run several integration files in parallel workers and
 * jest.config.js has no globalSetup for the plugin project), then the bundled entry the
 * image runs, `node plugin/lib/bundle/gpu-device-plugin.js`, as a child process against the fake NVML and
 * a KubeletStub. Collects its JSON log lines so tests can wait for what it says.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFakeNvml, writeFakeNvmlConfig, type FakeNvmlSpec } from '../helpers/fake-nvml';
import { KubeletStub } from '../helpers/kubelet-stub';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * The bundled entry the release image runs (plugin/scripts/bundle.js), so these tests start
 * what ships; plugin/bin/gpu-device-plugin.js runs the same code from lib/ unbundled.
 */
export const BIN = path.join(REPO_ROOT, 'plugin', 'lib', 'bundle', 'gpu-device-plugin.js');
/** The unbundled entry (bin/ requiring lib/), for development. */
export const UNBUNDLED_BIN = path.join(REPO_ROOT, 'plugin', 'bin', 'gpu-device-plugin.js');
const BUILD_DIR = path.join(REPO_ROOT, 'test', '.build');
const STAMP = path.join(BUILD_DIR, 'plugin-lib.stamp');
const LOCK = path.join(BUILD_DIR, 'plugin-lib.lock');

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((max, entry) => Math.max(max, newestMtime(path.join(p, entry))), st.mtimeMs);
}

function sourcesMtime(): number {
  const plugin = path.join(REPO_ROOT, 'plugin');
  return Math.max(
    newestMtime(path.join(plugin, 'src')),
    newestMtime(path.join(plugin, 'proto')),
    newestMtime(path.join(plugin, 'tsconfig.json')),
    newestMtime(path.join(plugin, 'bin')),
    newestMtime(path.join(plugin, 'scripts')),
  );
}

function upToDate(): boolean {
  return (
    fs.existsSync(STAMP) &&
    fs.existsSync(path.join(REPO_ROOT, 'plugin', 'lib', 'cli.js')) &&
    fs.existsSync(BIN) &&
    fs.statSync(STAMP).mtimeMs >= sourcesMtime()
  );
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Compiles plugin/src into plugin/lib and bundles it (lib/bundle) unless both are up to date. */
export function buildPlugin(): void {
  if (upToDate()) return;
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Another worker builds; a lock older than 5 min was left by a killed run.
      if (fs.existsSync(LOCK) && Date.now() - fs.statSync(LOCK).mtimeMs > 300_000)
        fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${LOCK}; remove it if no test run is building the plugin`);
      sleepSync(200);
    }
  }
  try {
    if (upToDate()) return;
    const started = new Date();
    const tsc = require.resolve('typescript/lib/tsc.js');
    execFileSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'plugin', 'tsconfig.json')], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'plugin', 'scripts', 'bundle.js')], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    // Stamp with the start time: a source edited during the build still counts as newer.
    fs.writeFileSync(STAMP, '');
    fs.utimesSync(STAMP, started, started);
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `building the plugin (tsc -p plugin/tsconfig.json, then plugin/scripts/bundle.js) failed:\n${out || stderr || (err as Error).message}`,
    );
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface FakeNode {
  env: Record<string, string>;
  eventsPath: string;
  configPath: string;
}

/** Writes a fake NVML topology under `dir` and returns the env the plugin needs to use it. */
export function fakeNode(dir: string, spec: FakeNvmlSpec): FakeNode {
  const files = writeFakeNvmlConfig(dir, spec);
  return {
    eventsPath: files.eventsPath,
    configPath: files.configPath,
    env: {
      NVML_LIBRARY_PATH: buildFakeNvml(),
      FAKE_NVML_CONFIG: files.configPath,
      GPU_DEVICE_PLUGIN_SYSFS_ROOT: files.sysfsRoot,
    },
  };
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class PluginProcess {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    let partial = '';
    child.stdout!.on('data', (chunk: string) => {
      this.stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // --help and other plain text
        }
      }
    });
    child.stderr!.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Starts the built plugin with `args` and only the given env (plus PATH). */
  static start(args: string[], env: Record<string, string>): PluginProcess {
    buildPlugin();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PluginProcess(child);
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Log lines whose message contains `text`. */
  logged(text: string): LogLine[] {
    return this.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes(text));
  }

  async waitForLog(text: string, timeoutMs = 10000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logged(text)[0];
      if (found) return found;
      if (!this.running)
        throw new Error(
          `plugin exited (${JSON.stringify(this.exit)}) before logging "${text}"; stderr: ${this.stderr}`,
        );
      if (Date.now() > deadline)
        throw new Error(`plugin did not log "${text}" within ${timeoutMs} ms; log:\n${this.stdout.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

export interface NodeUnderTest {
  stub: KubeletStub;
  plugin: PluginProcess;
  node: FakeNode;
  /** Port of /healthz, /readyz and /metrics on 127.0.0.1. */
  port: number;
  /** Scratch directory for config files and the fake NVML files. */
  dir: string;
  stop(): Promise<void>;
}

/**
 * A KubeletStub, a fake NVML node from `spec`, and the plugin process pointed at both
 * through env vars (the way a DaemonSet configures it).
 */
export async function startNode(
  spec: FakeNvmlSpec,
  options: { env?: Record<string, string>; args?: string[]; rejectRegistrations?: string } = {},
): Promise<NodeUnderTest> {
  // Build before opening the stub: a failed build must not leave a server holding jest open.
  buildPlugin();
  const stub = await KubeletStub.start({ rejectWith: options.rejectRegistrations });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pnode-'));
  const node = fakeNode(dir, spec);
  const port = await freePort();
  const plugin = PluginProcess.start(options.args ?? [], {
    ...node.env,
    DEVICE_PLUGIN_PATH: stub.dir,
    METRICS_PORT: String(port),
    METRICS_BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  return {
    stub,
    plugin,
    node,
    port,
    dir,
    async stop() {
      await plugin.stop();
      await stub.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls a GET until it answers `status`; returns that answer. */
export async function waitForHttp(
  port: number,
  pathname: string,
  status: number,
  timeoutMs = 10000,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: string } | undefined;
  while (Date.now() < deadline) {
    last = await httpGet(port, pathname).catch(() => undefined);
    if (last?.status === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`GET ${pathname} did not answer ${status} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** GET on the plugin's HTTP port. */
export async function httpGet(port: number, pathname: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`);
  return { status: res.status, body: await res.text() };
}
