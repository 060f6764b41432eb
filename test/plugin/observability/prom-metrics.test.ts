import { PluginMetrics } from '../../../plugin/src/observability/prom-metrics';

describe('PluginMetrics', () => {
  it('reports devices by resource and health', async () => {
    const metrics = new PluginMetrics({ defaultMetrics: false });
    metrics.setDeviceCounts('nvidia.com/gpu', { healthy: 7, unhealthy: 1 });
    const { body } = await metrics.render();
    expect(body).toContain('gpu_device_plugin_devices{resource="nvidia.com/gpu",health="Healthy"} 7');
    expect(body).toContain('gpu_device_plugin_devices{resource="nvidia.com/gpu",health="Unhealthy"} 1');
  });

  it('forgets the device gauges of a resource no longer advertised', async () => {
    const metrics = new PluginMetrics({ defaultMetrics: false });
    metrics.setDeviceCounts('nvidia.com/mig-1g.10gb', { healthy: 2, unhealthy: 0 });
    metrics.forgetResource('nvidia.com/mig-1g.10gb');
    expect((await metrics.render()).body).not.toContain('nvidia.com/mig-1g.10gb');
  });

  it('counts allocations, errors and registrations with their labels', async () => {
    const metrics = new PluginMetrics({ defaultMetrics: false });
    metrics.allocations.inc({ resource: 'nvidia.com/gpu' });
    metrics.allocationErrors.inc({ resource: 'nvidia.com/gpu', call: 'Allocate', code: 'INVALID_ARGUMENT' });
    metrics.registrations.inc({ resource: 'nvidia.com/gpu', result: 'success' });
    const { body } = await metrics.render();
    expect(body).toContain('gpu_device_plugin_allocations_total{resource="nvidia.com/gpu"} 1');
    expect(body).toContain(
      'gpu_device_plugin_allocation_errors_total{resource="nvidia.com/gpu",call="Allocate",code="INVALID_ARGUMENT"} 1',
    );
    expect(body).toContain('gpu_device_plugin_registrations_total{resource="nvidia.com/gpu",result="success"} 1');
  });

  it('includes the default process metrics unless turned off', async () => {
    expect((await new PluginMetrics().render()).body).toContain('process_cpu_seconds_total');
    expect((await new PluginMetrics({ defaultMetrics: false }).render()).body).not.toContain(
      'process_cpu_seconds_total',
    );
  });

  it('keeps two instances apart (no global registry)', async () => {
    const a = new PluginMetrics({ defaultMetrics: false });
    const b = new PluginMetrics({ defaultMetrics: false });
    a.allocations.inc({ resource: 'nvidia.com/gpu' });
    expect((await b.render()).body).not.toContain('gpu_device_plugin_allocations_total{');
  });

  it('renders in the Prometheus text format', async () => {
    expect((await new PluginMetrics({ defaultMetrics: false }).render()).contentType).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
  });
});
