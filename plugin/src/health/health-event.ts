/**
 * A health change seen by the health monitor: what a health watch (devices/) reports and
 * health-monitor.ts acts on. It lives in health/, not devices/, so that health/ imports
 * nothing from devices/ (devices/ starts the watches and imports health/); an import cycle
 * between plugin folders fails test/plugin/import-cycles.test.ts.
 */
export interface HealthEvent {
  /** UUID of the GPU or MIG device the event names; '*' = every device. */
  uuid: string;
  healthy: boolean;
  /** The XID that caused it, when there is one. */
  xid?: number;
  /** Never recovers while the plugin runs (a lost GPU needs a reset). */
  permanent?: boolean;
  reason: string;
}
