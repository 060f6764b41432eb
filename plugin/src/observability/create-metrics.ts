/**
 * Chooses the metrics implementation. Apart from metrics.ts (the interface, which must not
 * load prom-client) and prom-metrics.ts (prom-client, which implements the interface), so that
 * neither of the two imports the other's module back.
 */
import { NO_METRICS, type Metrics } from './metrics.js';

/** prom-client metrics (with Node's default ones) when served, else NO_METRICS. */
export function createMetrics(served: boolean): Metrics {
  if (!served) return NO_METRICS;
  // Loaded here, not imported at the top, so a plugin without /metrics never loads it.
  const { PluginMetrics } = require('./prom-metrics.js') as typeof import('./prom-metrics.js');
  return new PluginMetrics();
}
