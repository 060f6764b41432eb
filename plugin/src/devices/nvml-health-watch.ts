/**
 * Turns NVML XID events into HealthEvents, as NVIDIA's plugin does (internal/rm/health.go),
 * without blocking the event loop: each wait runs on a koffi worker thread. An event ends a
 * wait at once, so the wait's length only sets how often an idle plugin wakes up; NVIDIA
 * waits 5 s, and so do we (DEFAULT_EVENT_WAIT_MS in nvml-device-source.ts).
 *
 * Nothing waits for a wait in flight: NVML has no call that ends one early, so
 * - stopping a watch (`retire`) only flags it; its loop frees the event set when the wait
 *   in flight returns (at the latest after one wait), and `ended` says when that happened;
 * - a reload that finds the same devices keeps the watch and its event set: the listener
 *   is swapped (`listen`), and events that arrive while nobody listens are kept for the
 *   next listener, so a reload loses none;
 * - the process exits without joining the worker thread that still waits (cli.ts,
 *   exitProcess).
 */
import { describeXid } from '../health/xid-descriptions.js';
import {
  NO_INSTANCE,
  NvmlEventType,
  type DeviceHandle,
  type EventData,
  type EventSetHandle,
  type Nvml,
} from './nvml.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { DeviceInventory, Gpu, HealthEvent } from './types.js';

/** NVIDIA's mask; only XIDs change health, ECC events are logged. */
const EVENT_MASK = NvmlEventType.XID_CRITICAL | NvmlEventType.DOUBLE_BIT_ECC | NvmlEventType.SINGLE_BIT_ECC;

/** Events kept while no listener is attached (between a reload's stop and start); the oldest go first. */
export const MAX_PENDING_EVENTS = 1024;

export interface WatchOptions {
  /** Longest single wait; an event ends it at once. */
  waitMs: number;
  /** Pause after a failed wait, so a broken driver does not spin the loop. */
  errorBackoffMs: number;
  info: (o: object, m: string) => void;
  warn: (o: object, m: string) => void;
}

type Listener = (e: HealthEvent) => void;

/**
 * One NVML event set with every GPU of an inventory registered, and the loop that waits on
 * it. Created synchronously, so an event that happens after the constructor returns is not
 * missed; the loop starts at once and runs until `retire`.
 */
export class XidWatch {
  /** Resolves once the loop has stopped and the event set is freed. */
  readonly ended: Promise<void>;
  private listener: Listener | undefined;
  private pending: HealthEvent[] = [];
  private readonly stop = new AbortController();
  private readonly gpuByHandle = new Map<DeviceHandle, Gpu>();
  private readonly set: EventSetHandle;

  constructor(
    private readonly nvml: Nvml,
    inventory: DeviceInventory,
    listener: Listener,
    private readonly opts: WatchOptions,
  ) {
    this.listener = listener;
    this.set = nvml.eventSetCreate();
    try {
      for (const gpu of inventory.gpus) {
        const handle = nvml.handleByIndex(gpu.index);
        this.gpuByHandle.set(handle, gpu);
        this.register(handle, gpu);
      }
    } catch (err) {
      nvml.eventSetFree(this.set);
      throw err;
    }
    this.ended = this.loop();
  }

  /** Whether `retire` was called. */
  get retired(): boolean {
    return this.stop.signal.aborted;
  }

  /**
   * Sends events to `listener` from now on, first those that arrived while nobody listened;
   * `undefined` detaches (events are kept, up to MAX_PENDING_EVENTS).
   */
  listen(listener: Listener | undefined): void {
    this.listener = listener;
    if (listener === undefined) return;
    const pending = this.pending;
    this.pending = [];
    for (const e of pending) listener(e);
  }

  /**
   * Stops the loop without waiting for the wait in flight; `ended` resolves when it has
   * returned. Returns the events nobody has taken yet (for the watch that replaces this one).
   */
  retire(): HealthEvent[] {
    const pending = this.pending;
    this.listener = undefined;
    this.pending = [];
    this.stop.abort();
    return pending;
  }

  private emit(e: HealthEvent): void {
    if (this.retired) return;
    if (this.listener !== undefined) {
      this.listener(e);
      return;
    }
    if (this.pending.length >= MAX_PENDING_EVENTS) this.pending.shift();
    this.pending.push(e);
  }

  private register(handle: DeviceHandle, gpu: Gpu): void {
    const supported = this.nvml.supportedEventTypes(handle);
    const mask = EVENT_MASK & (supported ?? 0n);
    if ((mask & NvmlEventType.XID_CRITICAL) === 0n) {
      // NVIDIA logs this and leaves the GPU unwatched: it is too old for health checks.
      this.opts.warn({ uuid: gpu.uuid }, 'GPU does not report XID events; its health is not checked');
      return;
    }
    try {
      this.nvml.registerEvents(handle, mask, this.set);
    } catch (err) {
      // As NVIDIA does: a GPU whose events cannot be watched is not trusted.
      this.emit({ uuid: gpu.uuid, healthy: false, reason: `cannot watch XID events: ${(err as Error).message}` });
    }
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    let failing = false;
    try {
      while (!signal.aborted) {
        let event: EventData | undefined;
        try {
          event = await this.nvml.eventSetWait(this.set, this.opts.waitMs);
          failing = false;
        } catch (err) {
          // NVIDIA marks every device unhealthy when the wait fails; once per failure streak.
          if (!failing)
            this.emit({
              uuid: '*',
              healthy: false,
              reason: `waiting for NVML events failed: ${(err as Error).message}`,
            });
          failing = true;
          await sleep(this.opts.errorBackoffMs, signal);
          continue;
        }
        if (event !== undefined && !signal.aborted) this.report(event);
      }
    } finally {
      this.nvml.eventSetFree(this.set);
    }
  }

  private report(e: EventData): void {
    if ((e.eventType & NvmlEventType.XID_CRITICAL) === 0n) {
      this.opts.info(
        { eventType: Number(e.eventType), data: e.eventData },
        'NVML event that is not an XID; health unchanged',
      );
      return;
    }
    const reason = describeXid(e.eventData);
    for (const uuid of this.affectedUuids(e)) this.emit({ uuid, healthy: false, xid: e.eventData, reason });
  }

  /**
   * The device an event names: the MIG device whose GPU and compute instance ids it carries
   * (NVIDIA's matching), else the GPU itself, which stands for everything on it; `*` when NVML
   * could not attribute the event.
   */
  private affectedUuids(e: EventData): string[] {
    if (e.device === null) return ['*'];
    const gpu = this.gpuByHandle.get(e.device);
    if (gpu === undefined) {
      try {
        return [this.nvml.uuid(e.device)];
      } catch {
        return ['*'];
      }
    }
    if (e.gpuInstanceId !== NO_INSTANCE && e.computeInstanceId !== NO_INSTANCE) {
      const migs = gpu.migDevices.filter(
        (m) => m.gpuInstanceId === e.gpuInstanceId && m.computeInstanceId === e.computeInstanceId,
      );
      if (migs.length > 0) return migs.map((m) => m.uuid);
    }
    return [gpu.uuid];
  }
}

/**
 * What an event set registered for `inventory` watches: two inventories with the same key
 * can share one XidWatch (a reload that found the same devices).
 */
export function watchKey(inventory: DeviceInventory): string {
  return JSON.stringify(
    inventory.gpus.map((g) => [
      g.index,
      g.uuid,
      g.migDevices.map((m) => [m.uuid, m.gpuInstanceId, m.computeInstanceId]),
    ]),
  );
}

/** Waits `ms`, or less when `signal` aborts (also when it already has). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
