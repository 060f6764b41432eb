/**
 * The real DeviceSource: NVML loaded with koffi. Discovery reads everything once; health
 * watching waits for NVML events on koffi worker threads. The XID watch outlives a reload
 * that finds the same devices (nvml-health-watch.ts), and nothing here waits for a wait in
 * flight: a stop or reload returns at once, and NVML is shut down after the last wait returns.
 */
import { resolveNvmlLibrary } from './host-files.js';
import { discoverInventory } from './nvml-discovery.js';
import { DEFAULT_LOST_GPU_CHECK_MS, runLostGpuCheck, type LostGpuTarget } from '../health/lost-gpu-check.js';
import { watchKey, XidWatch } from './nvml-health-watch.js';
import { Nvml, NvmlError, NvmlReturn } from './nvml.js';
import type { DeviceInventory, DeviceSource, HealthEvent } from './types.js';

export interface DeviceSourceLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}

export interface NvmlDeviceSourceOptions {
  /** libnvidia-ml.so.1: an absolute path, or a name looked up under the driver root. */
  libraryPath: string;
  /** Where the driver is installed (`/` or `/run/nvidia/driver`). */
  driverRoot: string;
  logger?: DeviceSourceLogger;
  /** Root of sysfs, for NUMA nodes (default `/sys`). */
  sysfsRoot?: string;
  /** Root of procfs, for MIG capability minors (default `/proc`). */
  procRoot?: string;
  /** Longest single NVML event wait in ms (default 5000, NVIDIA's); an event ends it at once. */
  eventWaitMs?: number;
  /** Interval of the lost-GPU check in ms (health/lost-gpu-check.ts); 0 = off (default 10000). */
  lostGpuCheckMs?: number;
}

/**
 * An event ends a wait at once, and a stop or reload does not wait for a wait in flight, so
 * this only sets how often an idle plugin wakes up: each wait is a round trip through a koffi
 * worker thread, and on NVIDIA's mock NVML a call into its Go runtime. NVIDIA waits 5 s too.
 */
export const DEFAULT_EVENT_WAIT_MS = 5000;

/**
 * NVML could not be loaded or initialised: what `failOnInitError=false` forgives (the node
 * has no GPU or no driver), as opposed to a failure while reading devices.
 */
export class NvmlInitError extends Error {
  constructor(
    message: string,
    /** NVML's return code, when NVML answered at all. */
    readonly code: number | undefined,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'NvmlInitError';
  }
}

const silent: DeviceSourceLogger = { info: () => undefined, warn: () => undefined };

export class NvmlDeviceSource implements DeviceSource {
  private readonly libraryPath: string;
  private readonly logger: DeviceSourceLogger;
  private nvml: Nvml | undefined;
  private initialised = false;
  /** The XID watch, kept across reloads while the devices stay the same. */
  private xid: { watch: XidWatch; key: string } | undefined;
  /** XID watches whose loop has not ended yet (their event set is still in use). */
  private loops = new Set<Promise<void>>();
  private watches = 0;
  private closing = false;

  constructor(private readonly opts: NvmlDeviceSourceOptions) {
    this.libraryPath = resolveNvmlLibrary(opts.libraryPath, opts.driverRoot);
    this.logger = opts.logger ?? silent;
  }

  discover(): DeviceInventory {
    const nvml = this.open();
    const inventory = discoverInventory(nvml, {
      sysfsRoot: this.opts.sysfsRoot ?? '/sys',
      procRoot: this.opts.procRoot ?? '/proc',
      warn: (o, m) => this.logger.warn(o, m),
      isOpen: () => this.initialised,
    });
    this.logger.info(
      {
        gpus: inventory.gpus.length,
        migDevices: inventory.gpus.reduce((n, g) => n + g.migDevices.length, 0),
        driver: inventory.driverVersion,
      },
      'discovered devices through NVML',
    );
    return inventory;
  }

  async watchHealth(inventory: DeviceInventory, signal: AbortSignal, onEvent: (e: HealthEvent) => void): Promise<void> {
    if (signal.aborted) return;
    const nvml = this.requireOpen();
    const lostTargets = this.lostGpuTargets(nvml, inventory, onEvent);
    const watch = this.xidWatch(nvml, inventory, onEvent);
    this.watches++;
    try {
      const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.all([
        // Detached, not stopped: the next watchHealth on the same devices takes it over
        // with the events that came in between; close() or other devices retire it.
        stopped.then(() => watch.listen(undefined)),
        runLostGpuCheck(
          lostTargets,
          onEvent,
          {
            intervalMs: this.opts.lostGpuCheckMs ?? DEFAULT_LOST_GPU_CHECK_MS,
            describe: (code) => nvml.errorString(code),
            warn: (o, m) => this.logger.warn(o, m),
          },
          signal,
        ),
      ]);
    } finally {
      this.watches--;
      this.shutdownWhenDone();
    }
  }

  /**
   * Resolves once no XID watch waits on NVML any more and NVML is shut down, after close().
   * Nothing in the plugin needs this (the process exits without it); tests do before they
   * unload a library.
   */
  async closed(): Promise<void> {
    while (this.loops.size > 0) await Promise.all(this.loops);
  }

  /** The XID watch for these devices: the running one when it watches the same, else a new one. */
  private xidWatch(nvml: Nvml, inventory: DeviceInventory, onEvent: (e: HealthEvent) => void): XidWatch {
    const key = watchKey(inventory);
    if (this.xid && this.xid.key === key && !this.xid.watch.retired) {
      this.xid.watch.listen(onEvent);
      return this.xid.watch;
    }
    // The new set is registered before the old one stops, so no event falls between them.
    const watch = new XidWatch(nvml, inventory, onEvent, {
      waitMs: this.opts.eventWaitMs ?? DEFAULT_EVENT_WAIT_MS,
      errorBackoffMs: 1000,
      info: (o, m) => this.logger.info(o, m),
      warn: (o, m) => this.logger.warn(o, m),
    });
    // Events the old watch got while nobody listened (during this reload) go to the new listener.
    const carried = this.retireXidWatch();
    this.xid = { watch, key };
    for (const e of carried) onEvent(e);
    const ended = watch.ended.finally(() => {
      this.loops.delete(ended);
      this.shutdownWhenDone();
    });
    this.loops.add(ended);
    return watch;
  }

  private retireXidWatch(): HealthEvent[] {
    const pending = this.xid?.watch.retire() ?? [];
    this.xid = undefined;
    return pending;
  }

  /**
   * One probe per GPU for the lost-GPU check. A GPU whose handle NVML already refuses as
   * lost is reported at once.
   */
  private lostGpuTargets(nvml: Nvml, inventory: DeviceInventory, onEvent: (e: HealthEvent) => void): LostGpuTarget[] {
    if ((this.opts.lostGpuCheckMs ?? DEFAULT_LOST_GPU_CHECK_MS) <= 0) return [];
    const targets: LostGpuTarget[] = [];
    for (const gpu of inventory.gpus) {
      try {
        const handle = nvml.handleByIndex(gpu.index);
        targets.push({ uuid: gpu.uuid, probe: () => nvml.memoryInfoCode(handle) });
      } catch (err) {
        if (err instanceof NvmlError && err.code === NvmlReturn.GPU_IS_LOST) {
          onEvent({
            uuid: gpu.uuid,
            healthy: false,
            permanent: true,
            reason: `NVML answers GPU_IS_LOST for this GPU: ${err.message}`,
          });
        } else {
          this.logger.warn(
            { uuid: gpu.uuid, err: (err as Error).message },
            'no NVML handle for the lost-GPU check; this GPU is not checked',
          );
        }
      }
    }
    return targets;
  }

  /**
   * Releases NVML without waiting: the XID watch is retired, and since a wait still running
   * on a worker thread would use NVML after it is shut down, the shutdown happens when the
   * last one returns (at most one event wait later; `closed()` says when).
   */
  close(): void {
    this.closing = true;
    this.retireXidWatch();
    this.shutdownWhenDone();
  }

  private shutdownWhenDone(): void {
    if (this.closing && this.watches === 0 && this.loops.size === 0) this.shutdown();
  }

  private open(): Nvml {
    this.closing = false;
    if (this.nvml === undefined) {
      try {
        this.nvml = Nvml.load(this.libraryPath);
      } catch (err) {
        throw new NvmlInitError(
          `cannot load the NVML library ${this.libraryPath}: ${(err as Error).message}. ` +
            'Check --nvml-library-path and --driver-root (NVML_LIBRARY_PATH, NVIDIA_DRIVER_ROOT), ' +
            'and that the container runs with the NVIDIA runtime or mounts the driver.',
          NvmlReturn.LIBRARY_NOT_FOUND,
          { cause: err },
        );
      }
    }
    if (!this.initialised) {
      try {
        this.nvml.init();
      } catch (err) {
        throw initError(err, this.libraryPath);
      }
      this.initialised = true;
    }
    return this.nvml;
  }

  private requireOpen(): Nvml {
    if (this.nvml === undefined || !this.initialised)
      throw new Error('NvmlDeviceSource.watchHealth called before discover()');
    return this.nvml;
  }

  private shutdown(): void {
    if (this.nvml === undefined || !this.initialised) return;
    this.initialised = false;
    try {
      this.nvml.shutdown();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'NVML shutdown failed');
    }
  }
}

function initError(err: unknown, libraryPath: string): NvmlInitError {
  const code = err instanceof NvmlError ? err.code : undefined;
  const hint =
    code === NvmlReturn.DRIVER_NOT_LOADED
      ? 'the NVIDIA kernel driver is not loaded on this node (no GPU, or the driver is not installed)'
      : 'check that the driver and libnvidia-ml versions match and that the container can open /dev/nvidia*';
  return new NvmlInitError(
    `failed to initialize NVML from ${libraryPath}: ${(err as Error).message}; ${hint}. ` +
      'Set failOnInitError=false (FAIL_ON_INIT_ERROR=false) to let the plugin idle on nodes without GPUs.',
    code,
    { cause: err },
  );
}
