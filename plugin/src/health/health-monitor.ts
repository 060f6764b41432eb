/**
 * Health policy between raw NVML events (DeviceSource.watchHealth) and what the kubelet is
 * told. NVIDIA's rules: skipped XIDs (default DEFAULT_SKIP_XIDS, constants.ts) change nothing,
 * DP_ENABLE_HEALTHCHECKS XIDs override the skip list, `*` means every device. Our addition,
 * which NVIDIA's plugin lacks: a device marked unhealthy by a recoverable XID becomes healthy
 * again after `recoveryMs` without a new critical XID on it. XID 79 (the GPU fell off the
 * bus) and a GPU that NVML reports lost (health/lost-gpu-check.ts) need a reset, so they
 * never recover while the plugin runs.
 */
import type { HealthConfig } from '../config/types.js';
import type { HealthEvent } from './health-event.js';

/** XID 79: GPU has fallen off the bus. */
export const XID_FELL_OFF_BUS = 79;

export type HealthChangeListener = (uuid: string, healthy: boolean, reason: string) => void;

interface Unhealthy {
  permanent: boolean;
  reason: string;
  timer?: ReturnType<typeof setTimeout>;
}

export class HealthMonitor {
  private readonly unhealthy = new Map<string, Unhealthy>();
  private readonly devices: string[];
  private stopped = false;

  /**
   * @param devices every device UUID the plugin advertises, so that a `*` event can mark each
   *   one (and each recovers, or not, on its own). Without them `*` is passed on as `*`.
   */
  constructor(
    private readonly config: HealthConfig,
    private readonly onChange: HealthChangeListener,
    devices: Iterable<string> = [],
  ) {
    this.devices = [...devices];
  }

  /** Whether an XID changes health under this config. */
  isCritical(xid: number): boolean {
    return this.config.enableXids.includes(xid) || !this.config.skipXids.includes(xid);
  }

  isHealthy(uuid: string): boolean {
    return !this.unhealthy.has(uuid);
  }

  handle(e: HealthEvent): void {
    if (this.stopped || this.config.disabled) return;
    if (e.xid !== undefined && !this.isCritical(e.xid)) return;
    const targets = e.uuid === '*' && this.devices.length > 0 ? this.devices : [e.uuid];
    for (const uuid of targets) {
      if (e.healthy) this.recover(uuid, e.reason);
      else this.markUnhealthy(uuid, e.permanent === true || e.xid === XID_FELL_OFF_BUS, e.reason);
    }
  }

  /** Cancels pending recoveries; later events are ignored. */
  stop(): void {
    this.stopped = true;
    for (const state of this.unhealthy.values()) clearTimeout(state.timer);
  }

  private markUnhealthy(uuid: string, permanent: boolean, reason: string): void {
    const previous = this.unhealthy.get(uuid);
    clearTimeout(previous?.timer);
    const state: Unhealthy = {
      permanent: permanent || previous?.permanent === true,
      reason: previous?.permanent ? previous.reason : reason,
    };
    // Each new critical XID restarts the quiet period.
    if (!state.permanent && this.config.recoveryMs > 0) {
      state.timer = setTimeout(
        () => this.recover(uuid, `no critical XID for ${formatDuration(this.config.recoveryMs)} after ${reason}`),
        this.config.recoveryMs,
      );
      state.timer.unref?.();
    }
    this.unhealthy.set(uuid, state);
    if (previous === undefined) this.onChange(uuid, false, reason);
  }

  private recover(uuid: string, reason: string): void {
    const state = this.unhealthy.get(uuid);
    if (state === undefined || state.permanent || this.stopped) return;
    clearTimeout(state.timer);
    this.unhealthy.delete(uuid);
    this.onChange(uuid, true, reason);
  }
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
