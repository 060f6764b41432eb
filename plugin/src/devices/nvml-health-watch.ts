/**
 * Turns NVML XID events into HealthEvents, as NVIDIA's plugin does (internal/rm/health.go),
 * without blocking the event loop: each wait runs on a koffi worker thread with a short
 * timeout, so a stop takes at most one timeout and an event is seen as soon as NVML has it.
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

export interface WatchOptions {
  /** Longest single wait, which bounds how long a stop takes. */
  waitMs: number;
  /** Pause after a failed wait, so a broken driver does not spin the loop. */
  errorBackoffMs: number;
  info: (o: object, m: string) => void;
  warn: (o: object, m: string) => void;
}

/**
 * Creates the event set and registers every GPU synchronously, so an event that happens
 * after this returns is not missed; the returned `run` loops until `signal` aborts.
 */
export function startHealthWatch(
  nvml: Nvml,
  inventory: DeviceInventory,
  onEvent: (e: HealthEvent) => void,
  opts: WatchOptions,
): { run: (signal: AbortSignal) => Promise<void> } {
  const set = nvml.eventSetCreate();
  const gpuByHandle = new Map<DeviceHandle, Gpu>();
  try {
    for (const gpu of inventory.gpus) {
      const handle = nvml.handleByIndex(gpu.index);
      gpuByHandle.set(handle, gpu);
      register(nvml, set, handle, gpu, onEvent, opts);
    }
  } catch (err) {
    nvml.eventSetFree(set);
    throw err;
  }
  return { run: (signal) => loop(nvml, set, gpuByHandle, onEvent, opts, signal) };
}

function register(
  nvml: Nvml,
  set: EventSetHandle,
  handle: DeviceHandle,
  gpu: Gpu,
  onEvent: (e: HealthEvent) => void,
  opts: WatchOptions,
): void {
  const supported = nvml.supportedEventTypes(handle);
  const mask = EVENT_MASK & (supported ?? 0n);
  if ((mask & NvmlEventType.XID_CRITICAL) === 0n) {
    // NVIDIA logs this and leaves the GPU unwatched: it is too old for health checks.
    opts.warn({ uuid: gpu.uuid }, 'GPU does not report XID events; its health is not checked');
    return;
  }
  try {
    nvml.registerEvents(handle, mask, set);
  } catch (err) {
    // As NVIDIA does: a GPU whose events cannot be watched is not trusted.
    onEvent({ uuid: gpu.uuid, healthy: false, reason: `cannot watch XID events: ${(err as Error).message}` });
  }
}

async function loop(
  nvml: Nvml,
  set: EventSetHandle,
  gpuByHandle: Map<DeviceHandle, Gpu>,
  onEvent: (e: HealthEvent) => void,
  opts: WatchOptions,
  signal: AbortSignal,
): Promise<void> {
  let failing = false;
  try {
    while (!signal.aborted) {
      let event: EventData | undefined;
      try {
        event = await nvml.eventSetWait(set, opts.waitMs);
        failing = false;
      } catch (err) {
        // NVIDIA marks every device unhealthy when the wait fails; once per failure streak.
        if (!failing)
          onEvent({ uuid: '*', healthy: false, reason: `waiting for NVML events failed: ${(err as Error).message}` });
        failing = true;
        await sleep(opts.errorBackoffMs, signal);
        continue;
      }
      if (event !== undefined && !signal.aborted) report(nvml, event, gpuByHandle, onEvent, opts);
    }
  } finally {
    nvml.eventSetFree(set);
  }
}

function report(
  nvml: Nvml,
  e: EventData,
  gpuByHandle: Map<DeviceHandle, Gpu>,
  onEvent: (e: HealthEvent) => void,
  opts: WatchOptions,
): void {
  if ((e.eventType & NvmlEventType.XID_CRITICAL) === 0n) {
    opts.info({ eventType: Number(e.eventType), data: e.eventData }, 'NVML event that is not an XID; health unchanged');
    return;
  }
  const reason = describeXid(e.eventData);
  for (const uuid of affectedUuids(nvml, e, gpuByHandle)) onEvent({ uuid, healthy: false, xid: e.eventData, reason });
}

/**
 * The device an event names: the MIG device whose GPU and compute instance ids it carries
 * (NVIDIA's matching), else the GPU itself, which stands for everything on it; `*` when NVML
 * could not attribute the event.
 */
function affectedUuids(nvml: Nvml, e: EventData, gpuByHandle: Map<DeviceHandle, Gpu>): string[] {
  if (e.device === null) return ['*'];
  const gpu = gpuByHandle.get(e.device);
  if (gpu === undefined) {
    try {
      return [nvml.uuid(e.device)];
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

/** Waits `ms`, or less when `signal` aborts (also when it already has). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
