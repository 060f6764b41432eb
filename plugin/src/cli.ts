/**
 * The `gpu-device-plugin` command: --help, config loading, signals and exit codes.
 * Exit 0 after SIGTERM/SIGINT and a clean stop; exit 1 when the config is bad or the
 * plugin cannot start (the message says why on stderr and in the JSON log).
 */
import { preferredAllocation } from './allocate/preferred.js';
import { ConfigError } from './config/errors.js';
import { helpText, loadConfig, summarizeConfig } from './config/load.js';
import { helpFlag } from './config/options.js';
import type { PluginConfig } from './config/types.js';
import { resolveNvmlLibrary } from './devices/host-files.js';
import { NvmlDeviceSource, NvmlInitError } from './devices/nvml-device-source.js';
import { nvmlCallsInFlight } from './devices/nvml.js';
import koffi from 'koffi';
import { buildResources } from './devices/resources.js';
import { HealthMonitor } from './health/health-monitor.js';
import { PluginRuntime, type RuntimeDeps } from './runtime.js';
import { KubeConfigError, resolveConnection } from './configmgr/kube-client.js';
import { ConfigManager, NoConfigError } from './configmgr/manager.js';
import { MPS_HELP, MPS_SUBCOMMAND, runMpsControlDaemon } from './mps/command.js';
import { mpsContainerRoot } from './mps/layout.js';
import { createLogger, type Logger } from './observability/logger.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Test hooks, not user settings: where discovery reads sysfs (NUMA nodes) and procfs
 * (MIG capability minors). In a pod these are the host's /sys and /proc already.
 */
function deviceRoots(env: NodeJS.ProcessEnv): { sysfsRoot?: string; procRoot?: string; eventWaitMs?: number } {
  // And how long one NVML event wait lasts (default 5 s), so a test can show that a stop
  // does not wait for one.
  const eventWaitMs = Number(env.GPU_DEVICE_PLUGIN_EVENT_WAIT_MS);
  return {
    sysfsRoot: env.GPU_DEVICE_PLUGIN_SYSFS_ROOT || undefined,
    procRoot: env.GPU_DEVICE_PLUGIN_PROC_ROOT || undefined,
    eventWaitMs: Number.isInteger(eventWaitMs) && eventWaitMs > 0 ? eventWaitMs : undefined,
  };
}

/**
 * Where to dlopen libnvidia-ml: under the driver root as this container sees it
 * (--driver-root-ctr-path, /driver-root, where the DaemonSet mounts the host's driver root,
 * e.g. the GPU Operator's /run/nvidia/driver), as NVIDIA's plugin does; then under
 * --driver-root itself (the plugin run on the host, or a test tree); else the bare name,
 * for the loader's own search.
 */
export function nvmlLibraryPath(config: Pick<PluginConfig, 'flags' | 'runtime'>): string {
  const inContainer = resolveNvmlLibrary(config.runtime.nvmlLibrary, config.flags.plugin.containerDriverRoot);
  return resolveNvmlLibrary(inContainer, config.flags.nvidiaDriverRoot);
}

export function defaultDeps(env: NodeJS.ProcessEnv): RuntimeDeps {
  return {
    createDeviceSource: (config: PluginConfig, logger: Logger) =>
      new NvmlDeviceSource({
        libraryPath: nvmlLibraryPath(config),
        driverRoot: config.flags.nvidiaDriverRoot,
        logger,
        lostGpuCheckMs: config.health.lostCheckMs ?? 0,
        ...deviceRoots(env),
      }),
    buildResources,
    preferred: preferredAllocation,
    createHealthMonitor: (config, onChange) => new HealthMonitor(config, onChange),
    isInitError: (err) => err instanceof NvmlInitError,
  };
}

/**
 * The plugin runs as root and creates nothing but its unix sockets, which only the kubelet
 * (root) may connect to. With this umask a socket is never group- or world-accessible,
 * not even between bind() and the chmod that follows it.
 */
export const PLUGIN_UMASK = 0o077;

function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => helpFlag(a) === 'help');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Waits for SIGTERM or SIGINT; calls `onHup` for each SIGHUP meanwhile. Signal handlers
 * do not keep node's event loop alive, so a timer does: an idling plugin (no NVML or no
 * GPUs, failOnInitError=false, no HTTP port) has no socket or server open, and without
 * it node would exit 0 at once, a restart loop in a DaemonSet.
 */
function waitForStop(onHup: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.off('SIGHUP', onHup);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', onHup);
  });
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo = processIo): Promise<number> {
  if (argv[0] === MPS_SUBCOMMAND) {
    const rest = argv.slice(1);
    if (wantsHelp(rest)) {
      io.stdout(MPS_HELP);
      return 0;
    }
    const deps = defaultDeps(env);
    return runMpsControlDaemon(rest, env, {
      createDeviceSource: deps.createDeviceSource,
      buildResources: deps.buildResources,
      waitForStop,
      stderr: io.stderr,
    });
  }
  if (wantsHelp(argv)) {
    io.stdout(helpText().replace(/\n?$/, '\n'));
    return 0;
  }
  process.umask(PLUGIN_UMASK);
  const warnings: string[] = [];
  let config: PluginConfig;
  try {
    config = loadConfig({ argv, env, warn: (m) => warnings.push(m) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`gpu-device-plugin: invalid configuration: ${err.message}\n`);
    return 1;
  }
  const logger = createLogger({ level: config.runtime.logLevel });
  for (const warning of warnings) logger.warn(warning);

  // Reloads (SIGHUP, or the config manager's new selection) wait for the start to finish and
  // run one after another, so a burst (or one during start-up) never interleaves with another
  // lifecycle step.
  let startSettled!: () => void;
  let reloads: Promise<void> = new Promise<void>((resolve) => (startSettled = resolve));
  // Set once the runtime exists; the config manager may ask for a reload before (it waits).
  const started: { runtime?: PluginRuntime } = {};
  const requestReload = (): void => {
    reloads = reloads
      .then(() => started.runtime?.reload())
      .catch((err: unknown) => logger.error({ err: errorText(err) }, 'reload failed'));
  };

  // --config-dir: the config manager selects the config file by this node's label.
  let manager: ConfigManager | undefined;
  const managerOptions = config.runtime.configManager;
  if (managerOptions) {
    try {
      manager = new ConfigManager({
        options: managerOptions,
        connection: resolveConnection(managerOptions.kubeconfig, env),
        logger,
        onChange: requestReload,
      });
      const applied = await manager.start();
      config = loadConfig({ argv, env, warn: (m) => logger.warn(m), selectedConfigFile: applied.file });
    } catch (err) {
      if (!(err instanceof KubeConfigError || err instanceof NoConfigError || err instanceof ConfigError)) throw err;
      await manager?.stop();
      logger.error({ err: err.message }, 'invalid configuration');
      io.stderr(`gpu-device-plugin: invalid configuration: ${err.message}\n`);
      return 1;
    }
  }
  logger.info({ config: summarizeConfig(config) }, 'starting gpu-device-plugin');

  const runtime = new PluginRuntime({
    config,
    logger,
    deps: defaultDeps(env),
    // SIGHUP reads the same flags, env and (possibly edited) config file again; with
    // --config-dir, the file the config manager selected now.
    reloadConfig: () =>
      loadConfig({
        argv,
        env,
        warn: (m) => logger.warn(m),
        ...(manager ? { selectedConfigFile: manager.current?.file ?? null } : {}),
      }),
    mpsRoot: mpsContainerRoot(env),
    searchPath: env.PATH,
  });
  started.runtime = runtime;
  // Signal handlers go in before the start begins: a SIGTERM or SIGHUP that arrives while
  // NVML loads would otherwise kill the process with node's default action.
  const stopping = waitForStop(() => {
    logger.info('SIGHUP: reloading the config');
    requestReload();
  });
  const starting = runtime.start();
  starting.then(startSettled, startSettled);
  try {
    // A stop signal while start-up waits (e.g. for the MPS control daemon) ends the wait.
    const first = await Promise.race([starting.then(() => undefined), stopping]);
    if (first !== undefined) {
      logger.info({ signal: first }, 'stopping before start-up finished');
      await manager?.stop();
      await runtime.stop();
      await starting.catch(() => undefined);
      return 0;
    }
  } catch (err) {
    logger.error({ err: errorText(err) }, 'cannot start');
    io.stderr(`gpu-device-plugin: cannot start: ${errorText(err)}\n`);
    await manager?.stop();
    await runtime.stop().catch(() => undefined);
    return 1;
  }
  const signal = await stopping;
  logger.info({ signal }, 'stopping');
  await manager?.stop();
  await reloads;
  await runtime.stop();
  return 0;
}

/**
 * Ends the process with `code`. Node's exit joins every libuv worker thread, and one may be
 * blocked in `nvmlEventSetWait` for up to the event wait (5 s); NVML has no call that ends
 * that wait, so with an NVML call in flight this exits through libc's `_exit` instead, after
 * everything is said: the logger and process.stdout/stderr write synchronously to files and
 * pipes on Linux, and the kernel releases what NVML held. Without one, process.exit as usual.
 */
export function exitProcess(code: number): never {
  if (nvmlCallsInFlight() > 0) {
    const _exit = libcExit();
    if (_exit !== undefined) _exit(code);
  }
  process.exit(code);
}

function libcExit(): ((code: number) => void) | undefined {
  for (const name of ['libc.so.6', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1']) {
    try {
      return koffi.load(name).func('void _exit(int)') as (code: number) => void;
    } catch {
      // not this libc; try the next, else process.exit (which waits for the NVML wait)
    }
  }
  return undefined;
}
