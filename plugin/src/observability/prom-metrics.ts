/**
 * Prometheus metrics (prom-client) on a registry of our own, so tests and several
 * instances in one process never collide on prom-client's global registry.
 */
import * as client from 'prom-client';
import type { Metrics } from './metrics.js';

export class PluginMetrics implements Metrics {
  readonly registry = new client.Registry();

  /** Devices advertised, by resource and health ("Healthy" / "Unhealthy"). */
  readonly devices = new client.Gauge({
    name: 'gpu_device_plugin_devices',
    help: 'Devices advertised to the kubelet, by resource and health',
    labelNames: ['resource', 'health'] as const,
    registers: [this.registry],
  });

  readonly allocations = new client.Counter({
    name: 'gpu_device_plugin_allocations_total',
    help: 'Allocate calls answered successfully, by resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly allocationErrors = new client.Counter({
    name: 'gpu_device_plugin_allocation_errors_total',
    help: 'Allocate and GetPreferredAllocation calls answered with an error, by resource, call and gRPC status code',
    labelNames: ['resource', 'call', 'code'] as const,
    registers: [this.registry],
  });

  readonly preferredAllocations = new client.Counter({
    name: 'gpu_device_plugin_preferred_allocations_total',
    help: 'GetPreferredAllocation calls answered successfully, by resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly registrations = new client.Counter({
    name: 'gpu_device_plugin_registrations_total',
    help: 'Register calls to the kubelet, by resource and result ("success" / "failure")',
    labelNames: ['resource', 'result'] as const,
    registers: [this.registry],
  });

  readonly healthEvents = new client.Counter({
    name: 'gpu_device_plugin_health_changes_total',
    help: 'Device health changes sent to the kubelet, by resource and new health',
    labelNames: ['resource', 'health'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
  }

  setDeviceCounts(resource: string, counts: { healthy: number; unhealthy: number }): void {
    this.devices.set({ resource, health: 'Healthy' }, counts.healthy);
    this.devices.set({ resource, health: 'Unhealthy' }, counts.unhealthy);
  }

  /** Drops device gauges of resources no longer advertised (after a SIGHUP reload). */
  forgetResource(resource: string): void {
    this.devices.remove({ resource, health: 'Healthy' });
    this.devices.remove({ resource, health: 'Unhealthy' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
