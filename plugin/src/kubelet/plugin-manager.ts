/**
 * Runs one DevicePluginServer per advertised resource: serve, then register; register
 * again when the kubelet restarts; restart a server whose socket vanished; retry failed
 * registrations; and on stop tell the kubelet there are no devices before going away.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Readiness } from '../observability/http-server.js';
import { DevicePluginServer, type DevicePluginBackend } from './device-plugin-server.js';
import { KubeletWatcher, type WatchEvent } from './kubelet-watcher.js';
import { registerWithKubelet } from './registration.js';
import { requireSocketDirectory, fileIdentity, sameIdentity, type FileIdentity } from './socket-file.js';

export interface ManagedResource {
  /** Socket file name in the device-plugins directory, e.g. nvidia-gpu.sock. */
  socketName: string;
  backend: DevicePluginBackend;
}

export interface PluginManagerOptions {
  devicePluginPath: string;
  /** Path of kubelet.sock. */
  kubeletSocket: string;
  logger: Logger;
  metrics?: Metrics;
  /** Delay before registering again after a failure (NVIDIA waits 30 s; capacity is back sooner this way). */
  retryMs?: number;
  dialTimeoutMs?: number;
  watchDebounceMs?: number;
  watchPollMs?: number;
}

interface Entry {
  server: DevicePluginServer;
  socketName: string;
  registered: boolean;
  /** A registration is queued or running; a second request only sets `again`. */
  registering: boolean;
  again: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  /** The kubelet.sock the last registration attempt dialed: one registration per kubelet instance. */
  kubeletAt: FileIdentity | undefined;
}

export class PluginManager {
  private entries = new Map<string, Entry>();
  private watcher: KubeletWatcher | undefined;
  /** Start, replace, reconcile and stop run one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: PluginManagerOptions) {}

  /** Serves every resource, starts registering them, and starts watching the directory. */
  async start(resources: readonly ManagedResource[]): Promise<void> {
    await this.serialize(async () => {
      await this.startEntries(resources);
      this.watcher = new KubeletWatcher({
        devicePluginPath: this.opts.devicePluginPath,
        kubeletSocket: this.opts.kubeletSocket,
        logger: this.opts.logger,
        debounceMs: this.opts.watchDebounceMs,
        pollMs: this.opts.watchPollMs,
        onChange: (event) => void this.serialize(() => this.reconcile(event)),
      });
      this.watcher.start();
    });
  }

  /**
   * Swaps the set of resources (SIGHUP with a new config). Like NVIDIA's plugin, every
   * server restarts and registers again; a resource that is gone first gets an empty list.
   */
  async replace(resources: readonly ManagedResource[]): Promise<void> {
    await this.serialize(async () => {
      const keep = new Set(resources.map((r) => r.backend.resourceName));
      for (const [name, entry] of this.entries) {
        this.cancelRetry(entry);
        await entry.server.stop({ sendEmpty: !keep.has(name) });
        if (!keep.has(name)) this.opts.metrics?.forgetResource(name);
      }
      this.entries.clear();
      await this.startEntries(resources);
    });
  }

  /** Sends the current device list of one resource to the kubelet. */
  notify(resourceName: string): void {
    this.entries.get(resourceName)?.server.notify();
  }

  resourceNames(): string[] {
    return [...this.entries.keys()];
  }

  readiness(): Readiness {
    const pending = [...this.entries.entries()].filter(([, e]) => !e.registered).map(([name]) => name);
    if (this.entries.size === 0) return { ready: false, reason: 'no resources are being served' };
    if (pending.length > 0)
      return { ready: false, reason: `not registered with the kubelet yet: ${pending.join(', ')}` };
    return { ready: true, reason: `registered with the kubelet: ${this.resourceNames().join(', ')}` };
  }

  /** Whether the kubelet has a ListAndWatch stream open on every resource served (it has their lists). */
  listsSent(): boolean {
    return this.entries.size > 0 && [...this.entries.values()].every((e) => e.server.streamCount > 0);
  }

  /** Stops everything: empty device list on every stream, streams ended, servers closed, sockets removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.stop();
    await this.serialize(async () => {
      for (const entry of this.entries.values()) {
        this.cancelRetry(entry);
        await entry.server.stop({ sendEmpty: true });
      }
    });
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    // The message only: these are mostly input problems (a wrong directory), and the
    // caller reports them again; a stack trace would bury the sentence that says what to fix.
    this.queue = run.catch((err: Error) =>
      this.opts.logger.error({ err: err.message }, 'device plugin lifecycle step failed'),
    );
    return run;
  }

  private async startEntries(resources: readonly ManagedResource[]): Promise<void> {
    requireSocketDirectory(this.opts.devicePluginPath);
    for (const resource of resources) {
      const server = new DevicePluginServer({
        socketPath: path.join(this.opts.devicePluginPath, resource.socketName),
        backend: resource.backend,
        logger: this.opts.logger,
        metrics: this.opts.metrics,
      });
      const entry: Entry = {
        server,
        socketName: resource.socketName,
        registered: false,
        registering: false,
        again: false,
        retryTimer: undefined,
        kubeletAt: undefined,
      };
      this.entries.set(resource.backend.resourceName, entry);
      // Serve first: the kubelet dials back while Register is still open.
      await server.start();
    }
    for (const entry of this.entries.values()) this.register(entry);
  }

  private async reconcile(event: WatchEvent): Promise<void> {
    if (this.stopped) return;
    // One registration per resource however many reasons one batch of events gives.
    const toRegister = new Set<Entry>();
    for (const entry of this.entries.values()) {
      if (entry.server.socketPresent()) continue;
      this.opts.logger.warn(
        { resource: entry.server.resourceName },
        'plugin socket disappeared; serving it again and re-registering',
      );
      await entry.server.restart();
      toRegister.add(entry);
    }
    if (event.kubeletRestarted) {
      // Under load the kubelet's restart can reach us as two batches: the deleted plugin
      // socket (restart + register, which may already dial the new kubelet.sock) and then
      // the new kubelet.sock. A resource registered, or registering, with this very
      // kubelet.sock needs no second registration (the kubelet would reset its endpoint).
      const kubelet = fileIdentity(this.opts.kubeletSocket);
      for (const entry of this.entries.values()) {
        const withThisKubelet = (entry.registered || entry.registering) && sameIdentity(entry.kubeletAt, kubelet);
        if (!withThisKubelet) toRegister.add(entry);
      }
    }
    for (const entry of toRegister) {
      entry.registered = false;
      this.register(entry);
    }
  }

  private cancelRetry(entry: Entry): void {
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
  }

  /** Starts (or re-queues) registration of one resource; never throws. */
  private register(entry: Entry): void {
    this.cancelRetry(entry);
    if (entry.registering) {
      entry.again = true;
      return;
    }
    entry.registering = true;
    void this.registerLoop(entry);
  }

  private async registerLoop(entry: Entry): Promise<void> {
    const resource = entry.server.resourceName;
    const log = this.opts.logger.child({ resource });
    do {
      entry.again = false;
      if (this.stopped || this.entries.get(resource) !== entry) break;
      if (!fs.existsSync(this.opts.kubeletSocket)) {
        log.info(
          { kubeletSocket: this.opts.kubeletSocket },
          'waiting for the kubelet socket to appear before registering',
        );
        break;
      }
      entry.kubeletAt = fileIdentity(this.opts.kubeletSocket);
      try {
        await registerWithKubelet({
          kubeletSocket: this.opts.kubeletSocket,
          endpoint: entry.socketName,
          resourceName: resource,
          dialTimeoutMs: this.opts.dialTimeoutMs,
        });
        this.opts.metrics?.registrations.inc({ resource, result: 'success' });
        // A restart seen while the call was open makes this success stale: loop again.
        entry.registered = !entry.again;
        log.info({ endpoint: entry.socketName }, 'registered with the kubelet');
      } catch (err) {
        this.opts.metrics?.registrations.inc({ resource, result: 'failure' });
        entry.registered = false;
        if (!entry.again && !this.stopped && this.entries.get(resource) === entry) {
          const retryMs = this.opts.retryMs ?? 5000;
          log.error(
            { err: (err as Error).message, retryInMs: retryMs },
            'registration with the kubelet failed; will retry',
          );
          entry.retryTimer = setTimeout(() => this.register(entry), retryMs);
        }
      }
    } while (entry.again);
    entry.registering = false;
  }
}
