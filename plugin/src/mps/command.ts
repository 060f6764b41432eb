/**
 * `gpu-device-plugin mps-control-daemon`: NVIDIA's mps-control-daemon command. Reads the
 * same flags, env and config file as the plugin, discovers the GPUs through NVML, builds
 * the same resources, and runs one `nvidia-cuda-mps-control -d` per MPS-shared resource
 * under the MPS root mounted at /mps. A failed start is retried every 30 s (as NVIDIA's);
 * SIGHUP restarts the daemons with the config read again; SIGTERM/SIGINT quit them.
 */
import { ConfigError } from '../config/errors.js';
import { loadConfig, summarizeConfig } from '../config/load.js';
import type { PluginConfig } from '../config/types.js';
import type { AdvertisedResource, DeviceInventory, DeviceSource } from '../devices/types.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { findControlBinary } from './control.js';
import { planDaemons, startAll, stopAll, type MpsDaemonPlan } from './daemon.js';
import { MPS_CONTROL_BIN, mpsContainerRoot } from './layout.js';

export const MPS_SUBCOMMAND = 'mps-control-daemon';

export interface MpsCommandDeps {
  createDeviceSource(config: PluginConfig, logger: Logger): DeviceSource;
  buildResources(config: PluginConfig, inventory: DeviceInventory): AdvertisedResource[];
  /** Resolves with the stop signal; calls onHup on each SIGHUP meanwhile. */
  waitForStop(onHup: () => void): Promise<NodeJS.Signals>;
  stderr(text: string): void;
}

export const MPS_HELP = `Usage: gpu-device-plugin mps-control-daemon [plugin flags]

Starts the MPS control daemon (nvidia-cuda-mps-control -d) for each resource shared
with MPS in the plugin's config (--config-file / CONFIG_FILE, --mig-strategy, ...),
with NVIDIA's layout under the MPS root mounted at /mps:
  /mps/<resource>/pipe, /mps/<resource>/log, /mps/<resource>/.started, /mps/.ready
The plugin advertises MPS replicas once /mps/.ready exists. SIGTERM quits the daemons.
nvidia-cuda-mps-control must be on PATH (the NVIDIA container toolkit injects it).
`;

const RETRY_MS = 30000;

export async function runMpsControlDaemon(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  deps: MpsCommandDeps,
): Promise<number> {
  const load = (warn: (m: string) => void): PluginConfig => loadConfig({ argv, env, warn });
  let config: PluginConfig;
  const warnings: string[] = [];
  try {
    config = load((m) => warnings.push(m));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deps.stderr(`gpu-device-plugin ${MPS_SUBCOMMAND}: invalid configuration: ${err.message}\n`);
    return 1;
  }
  const log = createLogger({ level: config.runtime.logLevel }).child({ component: MPS_SUBCOMMAND });
  warnings.forEach((w) => log.warn(w));
  const root = mpsContainerRoot(env);
  const binary = findControlBinary(env.PATH);
  log.info({ config: summarizeConfig(config), root }, 'starting MPS control daemon manager');

  let plans: MpsDaemonPlan[] = [];
  let running = false;
  let retry: NodeJS.Timeout | undefined;
  let source: DeviceSource | undefined;

  const start = async (): Promise<void> => {
    retry = undefined;
    try {
      source ??= deps.createDeviceSource(config, log);
      const inventory = source.discover();
      plans = planDaemons(root, deps.buildResources(config, inventory), inventory);
      if (plans.length === 0) log.info('no devices are configured for MPS sharing; waiting indefinitely');
      if (plans.length > 0 && !binary) {
        throw new Error(
          `${MPS_CONTROL_BIN} is not on PATH (${env.PATH ?? 'unset'}); it comes with the NVIDIA driver: run this container with ` +
            "the NVIDIA runtime (NVIDIA_DRIVER_CAPABILITIES=compute,utility) or add the driver's bin directory to PATH",
        );
      }
      await startAll(binary ?? MPS_CONTROL_BIN, root, plans, log);
      running = true;
    } catch (err) {
      log.error(
        { err: (err as Error).message, retryInMs: RETRY_MS },
        'failed to start one or more MPS control daemons; retrying',
      );
      retry = setTimeout(() => void queue(start), RETRY_MS);
    }
  };
  const stop = async (): Promise<void> => {
    if (retry) clearTimeout(retry);
    retry = undefined;
    if (!running) return;
    running = false;
    await stopAll(binary ?? MPS_CONTROL_BIN, root, plans, log).catch((err: Error) =>
      log.error({ err: err.message }, 'could not stop every MPS control daemon'),
    );
  };
  // Start, SIGHUP restarts and the stop run one after another.
  let chain: Promise<void> = Promise.resolve();
  const queue = (step: () => Promise<void>): Promise<void> => (chain = chain.then(step, step));

  void queue(start);
  const signal = await deps.waitForStop(() => {
    log.info('SIGHUP: restarting the MPS control daemons with the config read again');
    void queue(async () => {
      await stop();
      try {
        config = load((m) => log.warn(m));
      } catch (err) {
        log.error({ err: (err as Error).message }, 'config refused; restarting with the last good one');
      }
      await start();
    });
  });
  log.info({ signal }, 'stopping MPS control daemons');
  await queue(stop);
  source?.close();
  return 0;
}
