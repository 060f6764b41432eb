/**
 * The plugin's lifecycle, NVIDIA's cmd/nvidia-device-plugin/main.go in our layering:
 * config → discovery (NVML, once) → resources → one server per resource → Register;
 * health events → ListAndWatch updates; SIGHUP → reload; stop → empty lists, sockets gone.
 * cli.ts owns argv, signals and exit codes; this file owns what runs in between.
 */
import * as path from 'node:path';
import { ResourceBackend, type PreferredAllocationFn } from './allocate/resource-backend.js';
import { cdiEnabled, removeCdiSpec, writeCdiSpec } from './cdi/cdi-writer.js';
import { EmptyCdiDeviceError } from './cdi/spec.js';
import type { HealthConfig, PluginConfig } from './config/types.js';
import type { AdvertisedResource, DeviceInventory, DeviceSource, HealthEvent } from './devices/types.js';
import { gfdEnabled, removeGfdLabels, writeGfdLabels } from './gfd/gfd-writer.js';
import { PluginManager } from './kubelet/plugin-manager.js';
import { HttpServer, type Readiness } from './observability/http-server.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/create-metrics.js';
import type { Metrics } from './observability/metrics.js';
import { MPS_CONTAINER_ROOT } from './mps/layout.js';
import { waitForMpsDaemon } from './mps/wait.js';

/** The health monitor contract (health/health-monitor.ts). */
export interface HealthMonitorLike {
  handle(e: HealthEvent): void;
  stop(): void;
}

/** Everything the runtime needs from other parts, injectable so tests can swap pieces. */
export interface RuntimeDeps {
  createDeviceSource(config: PluginConfig, logger: Logger): DeviceSource;
  buildResources(config: PluginConfig, inventory: DeviceInventory): AdvertisedResource[];
  preferred: PreferredAllocationFn;
  createHealthMonitor(
    config: HealthConfig,
    onChange: (uuid: string, healthy: boolean, reason: string) => void,
  ): HealthMonitorLike;
  /** Whether a discovery error means "NVML could not start" (what failOnInitError=false forgives). */
  isInitError(err: unknown): boolean;
}

export interface RuntimeOptions {
  config: PluginConfig;
  logger: Logger;
  deps: RuntimeDeps;
  /** Default: prom-client metrics when /metrics is served (metricsPort > 0), else none. */
  metrics?: Metrics;
  /** Reads the config again (SIGHUP). Throws with a message for people when it is bad. */
  reloadConfig: () => PluginConfig;
  /** Lifecycle timings; tests shorten them. */
  registrationRetryMs?: number;
  watchPollMs?: number;
  /** Where the MPS root is mounted (default /mps, NVIDIA's layout). */
  mpsRoot?: string;
  /** PATH on which to find nvidia-cuda-mps-control for the daemon health query. */
  searchPath?: string;
  mpsPollMs?: number;
}

/** Longest wait for the kubelet's first ListAndWatch before the topology is read anyway. */
const TOPOLOGY_WAIT_MS = 2000;

type State = 'starting' | 'serving' | 'idle' | 'stopping' | 'stopped';

export function kubeletSocketPath(config: PluginConfig): string {
  return path.resolve(config.runtime.devicePluginPath, config.runtime.kubeletSocket);
}

export class PluginRuntime {
  readonly metrics: Metrics;
  private config: PluginConfig;
  private state: State = 'starting';
  private idleReason = '';
  private source: DeviceSource | undefined;
  private inventory: DeviceInventory | undefined;
  private backends: ResourceBackend[] = [];
  private manager: PluginManager | undefined;
  private http: HttpServer | undefined;
  private monitor: HealthMonitorLike | undefined;
  private healthWatch: { abort: AbortController; done: Promise<void> } | undefined;
  /** The config whose CDI spec / GFD file is on disk, so a reload or stop removes the right one. */
  private cdiWrittenFor: PluginConfig | undefined;
  private gfdWrittenFor: PluginConfig | undefined;
  private readonly log: Logger;
  /** Aborts a wait for the MPS control daemon when the plugin stops. */
  private readonly stopping = new AbortController();
  private waitingFor = '';

  constructor(private readonly opts: RuntimeOptions) {
    this.config = opts.config;
    this.log = opts.logger;
    this.metrics = opts.metrics ?? createMetrics(opts.config.runtime.metricsPort > 0);
  }

  /** Port of /healthz, /readyz and /metrics, when served. */
  get httpPort(): number | undefined {
    return this.http?.port;
  }

  readiness(): Readiness {
    switch (this.state) {
      case 'idle':
        return { ready: true, reason: this.idleReason };
      case 'serving':
        return this.manager ? this.manager.readiness() : { ready: false, reason: 'starting' };
      default:
        return { ready: false, reason: this.waitingFor || this.state };
    }
  }

  /**
   * Starts serving. Rejects (the process should exit non-zero) when discovery fails
   * with failOnInitError, when the config asks for impossible resources, or when a
   * socket or the HTTP port cannot be bound.
   */
  async start(): Promise<void> {
    const { runtime } = this.config;
    if (runtime.metricsPort > 0) {
      this.http = await HttpServer.start({
        port: runtime.metricsPort,
        host: runtime.metricsBindAddress,
        metrics: this.metrics,
        readiness: () => this.readiness(),
      });
      this.log.info(
        { port: this.http.port, address: runtime.metricsBindAddress },
        'serving /healthz, /readyz and /metrics',
      );
    }
    const inventory = this.discover(this.config);
    if (!inventory) {
      this.state = 'idle';
      return;
    }
    const resources = this.opts.deps.buildResources(this.config, inventory);
    this.inventory = inventory;
    this.writeNodeFiles(this.config, inventory);
    await this.serve(resources);
  }

  /** SIGHUP: a bad config keeps the last good one serving; a good one rebuilds and re-registers. */
  async reload(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    let config: PluginConfig;
    let inventory: DeviceInventory | undefined;
    let resources: AdvertisedResource[];
    try {
      config = this.opts.reloadConfig();
      inventory = this.discover(config);
      if (!inventory) {
        await this.toIdle();
        this.config = config;
        return;
      }
      resources = this.opts.deps.buildResources(config, inventory);
      this.writeNodeFiles(config, inventory);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'reload refused: keeping the last good config and resources');
      return;
    }
    const unhealthy = this.unhealthyUuids();
    const healthChanged = JSON.stringify(config.health) !== JSON.stringify(this.config.health);
    this.config = config;
    this.inventory = inventory;
    await this.stopHealthWatch({ keepMonitor: !healthChanged });
    await this.serve(resources, unhealthy);
    this.log.info({ resources: resources.map((r) => r.name) }, 'config reloaded');
  }

  /** Stops cleanly: health watch, empty device lists to the kubelet, sockets, HTTP, NVML. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.stopping.abort();
    // The health watch returns at once (an NVML wait in flight is not waited for; the
    // source shuts NVML down when it returns, and the process exits without it).
    const healthStopped = this.stopHealthWatch({ keepMonitor: false });
    await this.manager?.stop();
    this.removeNodeFiles();
    await this.http?.close();
    await healthStopped;
    this.source?.close();
    this.state = 'stopped';
    this.log.info('stopped');
  }

  /**
   * The files other node components read: the CDI spec (CDI strategies) and the GFD feature
   * file (--gfd-output-file). Throws, so start fails or a reload is refused, when one cannot
   * be written: a CDI name the runtime cannot resolve would fail every pod that gets it.
   */
  private writeNodeFiles(config: PluginConfig, inventory: DeviceInventory): void {
    if (this.cdiWrittenFor && (!cdiEnabled(config) || this.cdiWrittenFor.runtime.cdiRoot !== config.runtime.cdiRoot)) {
      removeCdiSpec(this.cdiWrittenFor);
      this.cdiWrittenFor = undefined;
    }
    if (cdiEnabled(config)) {
      try {
        const written = writeCdiSpec(config, inventory);
        this.cdiWrittenFor = config;
        this.log.info(
          { file: written.file, devices: written.devices, bytes: written.bytes, ms: Math.round(written.ms * 10) / 10 },
          'wrote CDI spec',
        );
      } catch (err) {
        // NVIDIA's plugin, too, serves on without a spec when a device has no node.
        if (!(err instanceof EmptyCdiDeviceError)) throw err;
        removeCdiSpec(config);
        this.cdiWrittenFor = undefined;
        this.log.error(
          { err: err.message },
          'wrote no CDI spec: pods given CDI device names on this node will not start',
        );
      }
    }
    if (
      this.gfdWrittenFor &&
      (!gfdEnabled(config) || this.gfdWrittenFor.runtime.gfdOutputFile !== config.runtime.gfdOutputFile)
    ) {
      removeGfdLabels(this.gfdWrittenFor);
      this.gfdWrittenFor = undefined;
    }
    if (gfdEnabled(config)) {
      const written = writeGfdLabels(config, inventory);
      this.gfdWrittenFor = config;
      this.log.info(
        { file: written.file, labels: written.labels, ms: Math.round(written.ms * 10) / 10 },
        'wrote GPU Feature Discovery labels',
      );
    }
  }

  private removeNodeFiles(): void {
    for (const [written, remove] of [
      [this.cdiWrittenFor, removeCdiSpec],
      [this.gfdWrittenFor, removeGfdLabels],
    ] as const) {
      if (!written) continue;
      try {
        remove(written);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not remove a file this plugin wrote');
      }
    }
    this.cdiWrittenFor = undefined;
    this.gfdWrittenFor = undefined;
  }

  /** Reads the devices; undefined when NVML cannot start and that is allowed (idle). */
  private discover(config: PluginConfig): DeviceInventory | undefined {
    try {
      this.source ??= this.opts.deps.createDeviceSource(config, this.log);
      return this.source.discover();
    } catch (err) {
      if (!this.opts.deps.isInitError(err) || config.flags.failOnInitError) throw err;
      this.idleReason = `idle: NVML is not available and failOnInitError is false (${(err as Error).message})`;
      this.log.warn(
        { err: (err as Error).message },
        'NVML could not be initialised; failOnInitError=false: idling without resources',
      );
      return undefined;
    }
  }

  private async toIdle(): Promise<void> {
    await this.stopHealthWatch({ keepMonitor: false });
    await this.manager?.replace([]);
    this.backends = [];
    this.state = 'idle';
  }

  private unhealthyUuids(): Set<string> {
    const uuids = new Set<string>();
    for (const backend of this.backends) {
      const health = new Map(backend.devices().map((d) => [d.ID, d.health]));
      for (const device of backend.resource.devices) if (health.get(device.id) !== 'Healthy') uuids.add(device.uuid);
    }
    return uuids;
  }

  /**
   * NVIDIA's plugin advertises MPS replicas only once the MPS control daemon is up (its
   * waitForDaemon); so does this one, with NVIDIA's markers, so either daemon serves either plugin.
   */
  private async waitForMps(resources: AdvertisedResource[]): Promise<void> {
    const mps = resources.filter((r) => r.sharing === 'mps' && r.devices.length > 0).map((r) => r.name);
    if (mps.length === 0) return;
    this.waitingFor = `waiting for the MPS control daemon (${mps.join(', ')})`;
    try {
      await waitForMpsDaemon({
        root: this.opts.mpsRoot ?? MPS_CONTAINER_ROOT,
        resources: mps,
        log: this.log,
        signal: this.stopping.signal,
        searchPath: this.opts.searchPath ?? process.env.PATH,
        pollMs: this.opts.mpsPollMs,
      });
    } finally {
      this.waitingFor = '';
    }
  }

  private async serve(resources: AdvertisedResource[], unhealthy = new Set<string>()): Promise<void> {
    await this.waitForMps(resources);
    const inventory = this.inventory!;
    this.backends = resources.map(
      (resource) =>
        new ResourceBackend({ resource, config: this.config, inventory, preferred: this.opts.deps.preferred }),
    );
    // Health carries over a reload: a GPU that fell off the bus is still broken.
    for (const uuid of unhealthy) for (const backend of this.backends) backend.setHealth(uuid, false);
    for (const backend of this.backends) this.metrics.setDeviceCounts(backend.resourceName, backend.healthCounts());
    const managed = this.backends.map((backend) => ({ socketName: backend.resource.socketName, backend }));
    if (resources.length === 0) {
      this.idleReason = 'idle: no GPUs found on this node, nothing to advertise';
      this.log.warn('no devices found: serving no resources and waiting');
    }
    if (!this.manager) {
      this.manager = new PluginManager({
        devicePluginPath: this.config.runtime.devicePluginPath,
        kubeletSocket: kubeletSocketPath(this.config),
        logger: this.log,
        metrics: this.metrics,
        retryMs: this.opts.registrationRetryMs,
        watchPollMs: this.opts.watchPollMs,
      });
      await this.manager.start(managed);
    } else {
      await this.manager.replace(managed);
    }
    this.state = resources.length === 0 ? 'idle' : 'serving';
    this.startHealthWatch(inventory);
    this.readTopologyLater(inventory);
  }

  /**
   * Discovery leaves the GPU topology (only GetPreferredAllocation needs it) to be read once
   * the kubelet has every resource's device list, or after TOPOLOGY_WAIT_MS if it has not
   * asked by then; a GetPreferredAllocation that comes first reads the rest at once
   * (devices/nvml-discovery.ts). So registration and the first ListAndWatch do not wait for
   * the NVLink and PCIe reads (docs/benchmarks.md, start-up).
   */
  private readTopologyLater(inventory: DeviceInventory): void {
    const read = inventory.readTopology;
    if (!read) return;
    const signal = this.stopping.signal;
    const started = Date.now();
    const waitForLists = async (): Promise<void> => {
      while (!signal.aborted && !this.manager?.listsSent() && Date.now() - started < TOPOLOGY_WAIT_MS)
        await new Promise((resolve) => setTimeout(resolve, 5));
      await read(signal);
    };
    waitForLists().catch((err: Error) => {
      if (!signal.aborted) this.log.warn({ err: err.message }, 'could not read the GPU topology in the background');
    });
  }

  private startHealthWatch(inventory: DeviceInventory): void {
    if (this.config.health.disabled) {
      this.log.warn('health checks are disabled (DP_DISABLE_HEALTHCHECKS)');
      return;
    }
    if (this.backends.length === 0) return;
    this.monitor ??= this.opts.deps.createHealthMonitor(this.config.health, (uuid, healthy, reason) =>
      this.applyHealth(uuid, healthy, reason),
    );
    const monitor = this.monitor;
    const abort = new AbortController();
    const done = this.source!.watchHealth(inventory, abort.signal, (e) => monitor.handle(e)).catch((err: Error) => {
      this.log.error({ err: err.message }, 'health checks failed; continuing without them');
    });
    this.healthWatch = { abort, done };
  }

  private async stopHealthWatch(options: { keepMonitor: boolean }): Promise<void> {
    const watch = this.healthWatch;
    this.healthWatch = undefined;
    watch?.abort.abort();
    // A stopped monitor ignores events, and an aborted watch reports none: stop it at once.
    if (!options.keepMonitor) {
      this.monitor?.stop();
      this.monitor = undefined;
    }
    await watch?.done;
  }

  /** A health change goes to the kubelet at once, for every resource the device is part of. */
  private applyHealth(uuid: string, healthy: boolean, reason: string): void {
    for (const backend of this.backends) {
      if (!backend.setHealth(uuid, healthy)) continue;
      const health = healthy ? 'Healthy' : 'Unhealthy';
      this.log.warn({ resource: backend.resourceName, uuid, health, reason }, `device marked ${health}`);
      this.metrics.healthEvents.inc({ resource: backend.resourceName, health });
      this.metrics.setDeviceCounts(backend.resourceName, backend.healthCounts());
      this.manager?.notify(backend.resourceName);
    }
  }
}
