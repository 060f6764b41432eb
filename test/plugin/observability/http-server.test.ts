import * as net from 'node:net';
import { HttpServer, type Readiness } from '../../../plugin/src/observability/http-server';
import { PluginMetrics } from '../../../plugin/src/observability/prom-metrics';

let server: HttpServer;
let readiness: Readiness;
let metrics: PluginMetrics;

beforeEach(async () => {
  readiness = { ready: false, reason: 'not registered with the kubelet yet: nvidia.com/gpu' };
  metrics = new PluginMetrics({ defaultMetrics: false });
  server = await HttpServer.start({ port: 0, host: '127.0.0.1', metrics, readiness: () => readiness });
});

afterEach(async () => {
  await server.close();
});

async function get(pathname: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${server.port}${pathname}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('HttpServer', () => {
  it('answers /healthz with 200 while the process runs', async () => {
    await expect(get('/healthz')).resolves.toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers /readyz with 503 and the reason while not ready', async () => {
    await expect(get('/readyz')).resolves.toMatchObject({
      status: 503,
      body: 'not registered with the kubelet yet: nvidia.com/gpu\n',
    });
  });

  it('answers /readyz with 200 once ready', async () => {
    readiness = { ready: true, reason: 'registered with the kubelet: nvidia.com/gpu' };
    await expect(get('/readyz')).resolves.toMatchObject({ status: 200 });
  });

  it('serves the metrics in the Prometheus text format', async () => {
    metrics.allocations.inc({ resource: 'nvidia.com/gpu' });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('gpu_device_plugin_allocations_total{resource="nvidia.com/gpu"} 1');
  });

  it('answers an unknown path with 404 naming the known ones', async () => {
    await expect(get('/nope')).resolves.toMatchObject({
      status: 404,
      body: 'no such path /nope; try /healthz, /readyz or /metrics\n',
    });
  });

  it('refuses other methods than GET and HEAD', async () => {
    await expect(get('/healthz', 'POST')).resolves.toMatchObject({ status: 405 });
  });

  it('fails to start with a message naming the address and the flag when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(HttpServer.start({ port, host: '127.0.0.1', metrics, readiness: () => readiness })).rejects.toThrow(
      `cannot serve /healthz, /readyz and /metrics on 127.0.0.1:${port}`,
    );
    await new Promise((resolve) => blocker.close(resolve));
  });
});
