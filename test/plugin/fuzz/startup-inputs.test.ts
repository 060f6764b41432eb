/**
 * The paths the plugin is pointed at are checked before it serves: a device-plugins
 * directory that does not exist, is a file or cannot be written, and an NVML library
 * path that does not exist, is a directory, is not a shared library or is not NVML.
 * Each makes the real process exit 1 with a sentence naming the path and the setting to
 * fix, never a stack trace.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec } from '../helpers/fake-nvml';
import { BIN, REPO_ROOT, buildPlugin, fakeNode, type FakeNode } from '../integration/plugin-process';

jest.setTimeout(60000);

/** Unprivileged user for the "not writable" case: root may write anywhere. */
const NOBODY = 65534;

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs the command until it exits; kills it and fails after `timeoutMs` (a plugin that waits is a bug here). */
function runPlugin(env: Record<string, string>, options: { uid?: number; timeoutMs?: number } = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the plugin did not exit within ${options.timeoutMs ?? 15000} ms; stdout:\n${stdout.slice(-2000)}`),
      );
    }, options.timeoutMs ?? 15000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

function expectRefusal(run: Run, ...parts: RegExp[]): void {
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^gpu-device-plugin: cannot start: /);
  for (const part of parts) expect(run.stderr).toMatch(part);
  // Stack frames look like "    at fn (file:line:col)"; none may reach the user.
  expect(`${run.stderr}\n${run.stdout}`).not.toMatch(/\n\s+at \S/);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let dir: string;
let node: FakeNode;

beforeAll(() => {
  buildPlugin();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-'));
  // Readable by the unprivileged user too: it has to load the fake node's files.
  fs.chmodSync(dir, 0o755);
  node = fakeNode(path.join(dir, 'node'), defaultSpec(2));
  fs.chmodSync(path.join(dir, 'node'), 0o755);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('device-plugins directory (--device-plugin-path)', () => {
  it('refuses a directory that does not exist, and does not create it', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const run = await runPlugin({ ...node.env, DEVICE_PLUGIN_PATH: missing });
    expectRefusal(
      run,
      new RegExp(`device plugin directory ${escape(missing)} cannot be used \\(ENOENT\\)`),
      /check that the kubelet runs on this node/,
      /--device-plugin-path \(DEVICE_PLUGIN_PATH\)/,
    );
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('refuses a path that is a file', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const run = await runPlugin({ ...node.env, DEVICE_PLUGIN_PATH: file });
    expectRefusal(
      run,
      new RegExp(`device plugin directory ${escape(file)} is not a directory; set --device-plugin-path`),
    );
  });

  it('refuses a directory the plugin cannot write to', async () => {
    const readOnly = path.join(dir, 'read-only');
    fs.mkdirSync(readOnly);
    const asRoot = process.getuid?.() === 0;
    // Root ignores mode bits: run as nobody there; otherwise take the write bit away.
    fs.chmodSync(readOnly, asRoot ? 0o755 : 0o555);
    const run = await runPlugin({ ...node.env, DEVICE_PLUGIN_PATH: readOnly }, asRoot ? { uid: NOBODY } : {});
    expectRefusal(
      run,
      new RegExp(`device plugin directory ${escape(readOnly)} is not writable \\(EACCES\\)`),
      /mount the directory read-write/,
    );
    expect(fs.readdirSync(readOnly)).toEqual([]);
  });
});

describe('NVML library (--nvml-library-path)', () => {
  const hint = /Check --nvml-library-path and --driver-root \(NVML_LIBRARY_PATH, NVIDIA_DRIVER_ROOT\)/;

  /** A real shared library that has none of NVML's functions. */
  function notNvml(): string {
    const source = path.join(dir, 'empty.c');
    const lib = path.join(dir, 'libempty.so');
    fs.writeFileSync(source, 'int not_nvml(void) { return 0; }\n');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', lib, source]);
    return lib;
  }

  it.each([
    ['a path that does not exist', (): string => path.join(dir, 'libnvidia-ml.so.404'), /No such file or directory/],
    ['a directory', (): string => dir, /Is a directory/],
    ['a file that is not a shared library', (): string => node.configPath, /invalid ELF header/],
    ['a shared library without NVML', notNvml, /Cannot find function 'nvmlInit_v2'/],
  ])('refuses %s', async (_name, library, reason) => {
    const lib = library();
    const run = await runPlugin({ ...node.env, NVML_LIBRARY_PATH: lib, DEVICE_PLUGIN_PATH: dir });
    expectRefusal(run, new RegExp(`cannot load the NVML library ${escape(lib)}: `), reason, hint);
  });
});
