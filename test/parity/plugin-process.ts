/**
 * Starts a device plugin as a real process on a fake node, registered with the test
 * kubelet (KubeletStub): ours (node plugin/lib/bundle/gpu-device-plugin.js, the bundle the image runs) or
 * NVIDIA's Go binary (test/tools/nvidia-plugin.sh). Both get the same fake NVML, the
 * same config file and the same driver root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeletStub } from '../plugin/helpers/kubelet-stub';
import type { FakeNode } from './fake-node';
import { watchChild } from '../helpers/child-output';
import { toolPath } from '../helpers/tools';

export type PluginKind = 'ours' | 'nvidia';

const repoRoot = path.resolve(__dirname, '..', '..');
/** The bundled entry the release image runs (plugin/scripts/bundle.js). */
export const OUR_BUNDLE = path.join(repoRoot, 'plugin', 'lib', 'bundle', 'gpu-device-plugin.js');
const ourBin = OUR_BUNDLE;

/**
 * NVIDIA's plugin puts its own sockets in the kubelet's fixed directory
 * (pluginapi.DevicePluginPath) whatever --kubelet-socket says. It runs in a private mount
 * namespace (util-linux `unshare`, needs root) where that directory is its stub's own
 * temporary directory, so several NVIDIA plugins (parallel jest workers, the bench, a real
 * kubelet on the same machine) never meet.
 */
export const NVIDIA_SOCKET_DIR = '/var/lib/kubelet/device-plugins';

/**
 * The other fixed host paths NVIDIA's plugin reads or writes, each replaced in its mount
 * namespace by the fake node's own tree, so that both plugins see the same node:
 * - /sys/bus/pci/devices: `<bdf>/numa_node` of each GPU (internal/rm/nvml_devices.go), the
 *   NUMA node of its topology hint; ours reads the same tree through GPU_DEVICE_PLUGIN_SYSFS_ROOT;
 * - /proc/driver: `nvidia-caps/mig-minors` (internal/mig/mig-dp.go), the MIG capability device
 *   minors; ours reads it through GPU_DEVICE_PLUGIN_PROC_ROOT;
 * - /var/run/cdi: where it writes its CDI spec at start with a CDI strategy.
 */
function nvidiaMounts(node: FakeNode, stub: KubeletStub): Array<[source: string, target: string]> {
  return [
    [stub.dir, NVIDIA_SOCKET_DIR],
    [path.join(node.sysfsRoot, 'bus', 'pci', 'devices'), '/sys/bus/pci/devices'],
    [path.join(node.procRoot, 'driver'), '/proc/driver'],
    [node.cdiDir, '/var/run/cdi'],
  ];
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles plugin/ (tsc) and bundles it (plugin/scripts/bundle.js) when the bundle is older than plugin/src. */
export function ensureOurPluginBuilt(): void {
  const src = path.join(repoRoot, 'plugin', 'src');
  if (fs.existsSync(OUR_BUNDLE) && fs.statSync(OUR_BUNDLE).mtimeMs >= newestMtime(src)) return;
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'plugin', 'tsconfig.json')], { stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(repoRoot, 'plugin', 'scripts', 'bundle.js')], { stdio: 'pipe' });
}

/**
 * NVIDIA's binary, built by test/tools/nvidia-plugin.sh. Throws with the build's own
 * error when it cannot be had (the Go proxy may refuse the module).
 */
export function nvidiaPluginBinary(): string {
  return toolPath('nvidia-plugin.sh', [], "NVIDIA's device plugin", 'nothing can be compared with it');
}

export interface StartOptions {
  kind: PluginKind;
  node: FakeNode;
  /** Extra env (e.g. DP_DISABLE_HEALTHCHECKS). */
  env?: Record<string, string>;
  /** Node flags before our plugin's script (e.g. the image's --max-semi-space-size=1); ours only. */
  nodeArgs?: string[];
  /** The node binary that runs our plugin (the bench: the image's Node); default: this process's. */
  nodeBinary?: string;
  /** Our plugin's script (default: the bundled entry the image runs, OUR_BUNDLE). */
  script?: string;
}

export interface RunningPlugin {
  kind: PluginKind;
  stub: KubeletStub;
  child: ChildProcess;
  /** performance.now() just before spawn. */
  spawnedAt: number;
  /** stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. Stops the stub too. */
  stop(): Promise<number | null>;
}

function commandFor(opts: StartOptions, stub: KubeletStub): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const { node } = opts;
  const common: NodeJS.ProcessEnv = { PATH: process.env.PATH, FAKE_NVML_CONFIG: node.configPath, ...opts.env };
  if (opts.kind === 'ours') {
    return {
      file: opts.nodeBinary ?? process.execPath,
      args: [
        ...(opts.nodeArgs ?? []),
        opts.script ?? ourBin,
        `--config-file=${node.configFile}`,
        `--device-plugin-path=${stub.dir}`,
        '--kubelet-socket=kubelet.sock',
        `--nvml-library-path=${node.libraryPath}`,
        `--driver-root=${node.driverRoot}`,
        // Under a CDI strategy ours writes its spec: into the node's directory, never the host's /var/run/cdi.
        `--cdi-root=${node.cdiDir}`,
        '--metrics-port=0',
        '--log-level=warn',
      ],
      env: {
        ...common,
        GPU_DEVICE_PLUGIN_SYSFS_ROOT: node.sysfsRoot,
        GPU_DEVICE_PLUGIN_PROC_ROOT: node.procRoot,
      },
    };
  }
  const nvidiaArgs = [
    `--config-file=${node.configFile}`,
    `--kubelet-socket=${path.join(NVIDIA_SOCKET_DIR, path.basename(stub.socketPath))}`,
    `--driver-root=${node.driverRoot}`,
    `--container-driver-root=${node.driverRoot}`,
  ];
  const mounts = nvidiaMounts(node, stub)
    .map(
      ([source, target]) =>
        `mkdir -p ${shellQuote(target)} && mount --bind ${shellQuote(source)} ${shellQuote(target)}`,
    )
    .join(' && ');
  return {
    file: 'unshare',
    // exec keeps the PID, so signals reach the plugin.
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `${mounts} && exec "$@"`,
      'sh',
      nvidiaPluginBinary(),
      ...nvidiaArgs,
    ],
    // go-nvml dlopens libnvidia-ml.so.1: the loader finds the fake through this path.
    env: { ...common, LD_LIBRARY_PATH: path.dirname(node.libraryPath) },
  };
}

export async function startPlugin(opts: StartOptions): Promise<RunningPlugin> {
  if (opts.kind === 'ours') ensureOurPluginBuilt();
  const stub = await KubeletStub.start();
  let cmd: ReturnType<typeof commandFor>;
  try {
    cmd = commandFor(opts, stub);
  } catch (err) {
    await stub.stop();
    throw err;
  }
  const spawnedAt = performance.now();
  const child = spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const { output, exitCode, exited } = watchChild(child);
  return {
    kind: opts.kind,
    stub,
    child,
    spawnedAt,
    output: () => output() + (exitCode() === undefined ? '' : `\n[exited with ${exitCode()}]`),
    stop: async () => {
      if (exitCode() === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await stub.stop();
      return exited;
    },
  };
}

/** Waits until every resource is registered with a device list; fails with the plugin's output. */
export async function waitForRegistration(
  plugin: RunningPlugin,
  resources: string[],
  timeoutMs = 20000,
): Promise<void> {
  // A plugin that exits before it registers fails at once (on 'close': its output is complete), not after the timeout.
  let onExit: (() => void) | undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = () => reject(new Error(`exited before registering ${resources.join(', ')}`));
    if (plugin.child.exitCode !== null || plugin.child.signalCode !== null) onExit();
    else plugin.child.once('close', onExit);
  });
  exited.catch(() => undefined);
  try {
    await Promise.race([plugin.stub.waitForResources(resources, timeoutMs), exited]);
  } catch (err) {
    const got = [...plugin.stub.resources.keys()].join(', ') || 'none';
    throw new Error(
      `${plugin.kind} plugin: ${(err as Error).message} (registered: ${got})\n--- plugin output ---\n${plugin.output().slice(-4000)}`,
    );
  } finally {
    plugin.child.off('close', onExit!);
  }
}
