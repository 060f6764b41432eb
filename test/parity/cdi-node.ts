/**
 * A fake node with what a CDI spec generator looks for, built on createFakeNode: character
 * device nodes for every GPU, the control devices and the MIG capability devices under the
 * driver root's /dev; driver libraries with real ELF sonames and their links; GSP firmware;
 * nvidia-smi and nvidia-persistenced; the persistenced socket. Then one function per plugin
 * that runs it until it has written its CDI spec into a private CDI directory and returns
 * the spec: ours directly, NVIDIA's v0.20.0 in its own mount namespace where /var/run/cdi
 * (its fixed CDI directory) and /var/lib/kubelet/device-plugins are temporary directories.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeNvmlSpec } from '../plugin/helpers/fake-nvml';
import { charDevice, elfStub, exists, symlink } from '../helpers/driver-files';
import { watchChild } from '../helpers/child-output';
import { createFakeNode, type FakeNode } from './fake-node';
import { ensureOurPluginBuilt, nvidiaPluginBinary } from './plugin-process';

const repoRoot = path.resolve(__dirname, '..', '..');
export const CDI_SPEC_NAME = 'k8s.device-plugin.nvidia.com-gpu.json';
const LIB = 'usr/lib/x86_64-linux-gnu';

export interface CdiNode extends FakeNode {
  driverVersion: string;
}

/** MIG capability minors as fake-node.ts writes them into proc/driver/nvidia-caps/mig-minors. */
function migMinors(node: FakeNode): number[] {
  const text = fs.readFileSync(path.join(node.procRoot, 'driver', 'nvidia-caps', 'mig-minors'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.trim().split(/\s+/)[1]));
}

export function createCdiNode(spec: FakeNvmlSpec, config: object): CdiNode {
  const node = createFakeNode(spec, config);
  const version = spec.driverVersion ?? '550.54.15';
  const root = node.driverRoot;
  try {
    spec.gpus.forEach((gpu, i) => charDevice(path.join(root, 'dev', `nvidia${gpu.minor ?? i}`), 195, gpu.minor ?? i));
    charDevice(path.join(root, 'dev', 'nvidiactl'), 195, 255);
    charDevice(path.join(root, 'dev', 'nvidia-modeset'), 195, 254);
    charDevice(path.join(root, 'dev', 'nvidia-uvm'), 510, 0);
    charDevice(path.join(root, 'dev', 'nvidia-uvm-tools'), 510, 1);
    for (const minor of migMinors(node))
      charDevice(path.join(root, 'dev', 'nvidia-caps', `nvidia-cap${minor}`), 508, minor);

    const lib = path.join(root, LIB);
    for (const name of [
      'libcuda',
      'libnvidia-ml',
      'libnvidia-ptxjitcompiler',
      'libnvidia-opticalflow',
      'libcudadebugger',
    ]) {
      elfStub(path.join(lib, `${name}.so.${version}`), `${name}.so.1`);
      symlink(`${name}.so.${version}`, path.join(lib, `${name}.so.1`));
    }
    symlink('libnvidia-ml.so.1', path.join(lib, 'libnvidia-ml.so'));
    symlink('libcuda.so.1', path.join(lib, 'libcuda.so'));
    // A library with no soname: the generator links nothing for it.
    if (!exists(path.join(lib, `libnvidia-gpucomp.so.${version}`)))
      fs.writeFileSync(path.join(lib, `libnvidia-gpucomp.so.${version}`), '');

    const firmware = path.join(root, 'lib', 'firmware', 'nvidia', version);
    fs.mkdirSync(firmware, { recursive: true });
    for (const f of ['gsp_ga10x.bin', 'gsp_tu10x.bin']) fs.writeFileSync(path.join(firmware, f), 'fw');

    const bin = path.join(root, 'usr', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    for (const f of ['nvidia-smi', 'nvidia-persistenced'])
      fs.writeFileSync(path.join(bin, f), '#!/bin/sh\n', { mode: 0o755 });

    fs.mkdirSync(path.join(root, 'run', 'nvidia-persistenced'), { recursive: true });
    fs.writeFileSync(path.join(root, 'run', 'nvidia-persistenced', 'socket'), '');
  } catch (err) {
    node.remove();
    throw err;
  }
  return { ...node, driverVersion: version };
}

/** NVIDIA's binary (test/tools/nvidia-plugin.sh); throws with the build's reason. */
export { nvidiaPluginBinary };

export interface SpecRun {
  spec: Record<string, unknown>;
  /** The file as written. */
  text: string;
  /** From spawn to the spec file appearing. */
  ms: number;
  /** Ours only: building and writing the spec, as the plugin logs it. */
  writeMs?: number;
  output: string;
}

export interface RunOptions {
  deviceListStrategy?: string;
  deviceIdStrategy?: string;
  migStrategy?: string;
  /** Host driver root written into the spec (nvidiaDriverRoot); default: the node's driver root. */
  hostDriverRoot?: string;
  timeoutMs?: number;
}

/**
 * Runs one plugin on the node until its spec is in a private CDI directory, then stops it
 * (SIGTERM; ours removes its spec on that, which is checked separately).
 */
export async function runUntilSpec(kind: 'ours' | 'nvidia', node: CdiNode, opts: RunOptions = {}): Promise<SpecRun> {
  const work = fs.mkdtempSync(path.join(node.dir, `${kind}-`));
  const cdiDir = path.join(work, 'cdi');
  const dpDir = path.join(work, 'dp');
  fs.mkdirSync(cdiDir);
  fs.mkdirSync(dpDir);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    FAKE_NVML_CONFIG: node.configPath,
    DEVICE_LIST_STRATEGY: opts.deviceListStrategy ?? 'cdi-cri',
    DEVICE_ID_STRATEGY: opts.deviceIdStrategy ?? 'uuid',
    MIG_STRATEGY: opts.migStrategy ?? 'none',
    NVIDIA_DRIVER_ROOT: opts.hostDriverRoot ?? node.driverRoot,
    CONTAINER_DRIVER_ROOT: node.driverRoot,
  };
  let file: string;
  let args: string[];
  if (kind === 'ours') {
    ensureOurPluginBuilt();
    file = process.execPath;
    args = [
      path.join(repoRoot, 'plugin', 'bin', 'gpu-device-plugin.js'),
      `--device-plugin-path=${dpDir}`,
      `--nvml-library-path=${node.libraryPath}`,
      `--cdi-root=${cdiDir}`,
      '--metrics-port=0',
      '--log-level=info',
    ];
    Object.assign(env, { GPU_DEVICE_PLUGIN_SYSFS_ROOT: node.sysfsRoot, GPU_DEVICE_PLUGIN_PROC_ROOT: node.procRoot });
  } else {
    file = 'unshare';
    // NVIDIA reads MIG capability minors from /proc/driver/nvidia-caps: the fake node's go there too.
    const procDriver = path.join(node.procRoot, 'driver');
    args = [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mkdir -p /var/run/cdi /var/lib/kubelet/device-plugins && mount --bind "$0" /var/run/cdi && mount --bind "$1" /var/lib/kubelet/device-plugins && ' +
        '{ [ ! -d /proc/driver ] || mount --bind "$2" /proc/driver; } && shift 2 && exec "$@"',
      cdiDir,
      dpDir,
      procDriver,
      nvidiaPluginBinary(),
      '--fail-on-init-error=true',
    ];
    env.LD_LIBRARY_PATH = path.dirname(node.libraryPath);
  }
  const started = performance.now();
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const watched = watchChild(child);
  const specFile = path.join(cdiDir, CDI_SPEC_NAME);
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  try {
    let fileMs: number | undefined;
    for (;;) {
      if (fileMs === undefined && fs.existsSync(specFile)) fileMs = performance.now() - started;
      // Ours: the spec is written during start; signals are handled once the servers are up.
      const output = watched.output();
      if (fileMs !== undefined && (kind === 'nvidia' || /"msg":"serving device plugin"/.test(output))) break;
      if (watched.exitCode() !== undefined) {
        const missing = /undefined symbol: (\w+)/.exec(output);
        const why = missing
          ? ` because the fake NVML (test/fixtures/fake-nvml) has no ${missing[1]}, which NVIDIA's plugin calls for this node; add it to the fake library`
          : '';
        throw new Error(
          `${kind} plugin exited with ${watched.exitCode()} before writing ${specFile}${why}:\n${output.slice(-3000)}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(
          `${kind} plugin wrote no ${specFile} in ${opts.timeoutMs ?? 20000} ms:\n${output.slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = fileMs!;
    const output = watched.output();
    // The rename is atomic for ours; NVIDIA's Save writes a temp file and renames it too.
    const text = fs.readFileSync(specFile, 'utf8');
    // Ours logs how long building and writing the spec took (after NVML discovery).
    const logged = /"msg":"wrote CDI spec"/.test(output)
      ? /"ms":([\d.]+)[^\n]*"msg":"wrote CDI spec"/.exec(output)
      : null;
    return {
      spec: JSON.parse(text) as Record<string, unknown>,
      text,
      ms,
      writeMs: logged ? Number(logged[1]) : undefined,
      output,
    };
  } finally {
    if (watched.exitCode() === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await watched.exited;
      clearTimeout(timer);
    }
  }
}
