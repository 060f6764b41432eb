/**
 * What the plugin records, as an interface, and the sink used when /metrics is not served
 * (--metrics-port=0): there nothing can read a metric, so prom-client is never loaded,
 * nor its default collectors (an event-loop delay timer that wakes the process every
 * 10 ms among them). This file must not import prom-client, not even indirectly.
 */

export interface CounterLike<L extends string> {
  inc(labels: Partial<Record<L, string | number>>): void;
}

export interface Metrics {
  readonly allocations: CounterLike<'resource'>;
  readonly allocationErrors: CounterLike<'resource' | 'call' | 'code'>;
  readonly preferredAllocations: CounterLike<'resource'>;
  readonly registrations: CounterLike<'resource' | 'result'>;
  readonly healthEvents: CounterLike<'resource' | 'health'>;
  setDeviceCounts(resource: string, counts: { healthy: number; unhealthy: number }): void;
  /** Drops device gauges of resources no longer advertised (after a SIGHUP reload). */
  forgetResource(resource: string): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const ignored: CounterLike<string> = { inc: () => undefined };

/** Records nothing; renders an empty exposition. */
export const NO_METRICS: Metrics = Object.freeze({
  allocations: ignored,
  allocationErrors: ignored,
  preferredAllocations: ignored,
  registrations: ignored,
  healthEvents: ignored,
  setDeviceCounts: () => undefined,
  forgetResource: () => undefined,
  render: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
});
