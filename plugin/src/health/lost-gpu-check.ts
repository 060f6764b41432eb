/**
 * Finds a GPU that is lost without an event. When a GPU falls off the bus, or the driver
 * loses it, NVML answers GPU_IS_LOST (or RESET_REQUIRED) to every call on it, but often no
 * XID event arrives, so a plugin that only waits for events (NVIDIA's does) keeps
 * advertising it as Healthy. This check asks NVML one cheap question per GPU every
 * `intervalMs` (a memory-info query, on a koffi worker thread so the event loop is never
 * blocked by a slow driver) and reports a GPU Unhealthy, for good, as soon as NVML says it
 * is lost: at most one interval plus one NVML call after NVML starts answering so.
 *
 * Any other error is logged once per GPU and changes nothing: NOT_SUPPORTED or a transient
 * failure is no proof that the GPU is gone.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { HealthEvent } from './health-event.js';

/** nvmlReturn_t codes that mean the GPU is gone until a reset. */
export const LOST_CODES: ReadonlyMap<number, string> = new Map([
  [15, 'GPU_IS_LOST'],
  [16, 'RESET_REQUIRED'],
]);

/**
 * Default check interval: a lost GPU is Unhealthy within about this long. Each probe is a
 * call into NVML; on NVIDIA's mock NVML every 2 s cost as much idle CPU as all the rest of
 * the plugin (docs/benchmarks.md, "Idle CPU and re-registration"), and a GPU that needs a
 * reset gains little from being found 8 s sooner.
 */
export const DEFAULT_LOST_GPU_CHECK_MS = 10000;

export interface LostGpuTarget {
  uuid: string;
  /** One cheap NVML call on the GPU; resolves with its nvmlReturn_t. */
  probe(): Promise<number>;
}

export interface LostGpuCheckOptions {
  intervalMs: number;
  /** Text for an NVML return code (nvmlErrorString). */
  describe: (code: number) => string;
  warn: (o: object, m: string) => void;
}

/**
 * Probes every target each `intervalMs` until `signal` aborts. A lost GPU is reported once
 * (`permanent`: it does not recover while the plugin runs) and not probed again.
 */
export async function runLostGpuCheck(
  targets: readonly LostGpuTarget[],
  onEvent: (e: HealthEvent) => void,
  opts: LostGpuCheckOptions,
  signal: AbortSignal,
): Promise<void> {
  if (opts.intervalMs <= 0 || targets.length === 0) return;
  const watching = new Set(targets);
  const logged = new Map<LostGpuTarget, number>();
  while (!signal.aborted && watching.size > 0) {
    await sleep(opts.intervalMs, signal);
    for (const target of [...watching]) {
      if (signal.aborted) return;
      let code: number;
      try {
        code = await target.probe();
      } catch (err) {
        code = -1;
        if (!logged.has(target))
          opts.warn({ uuid: target.uuid, err: (err as Error).message }, 'lost-GPU check could not call NVML');
        logged.set(target, code);
        continue;
      }
      const lost = LOST_CODES.get(code);
      if (lost !== undefined) {
        watching.delete(target);
        if (signal.aborted) return;
        onEvent({
          uuid: target.uuid,
          healthy: false,
          permanent: true,
          reason: `NVML answers ${lost} for this GPU (${opts.describe(code)}): it fell off the bus or was lost, and needs a reset`,
        });
      } else if (code !== 0 && logged.get(target) !== code) {
        logged.set(target, code);
        opts.warn(
          { uuid: target.uuid, code, error: opts.describe(code) },
          'lost-GPU check: NVML returned an error that does not mean lost; health unchanged',
        );
      }
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (also when it already has). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
