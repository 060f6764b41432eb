import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { PluginConfig } from '../../plugin/src/config/types';
import type { AdvertisedResource, DeviceInventory, DeviceSource, HealthEvent } from '../../plugin/src/devices/types';
import { PluginRuntime, type RuntimeDeps } from '../../plugin/src/runtime';
import { createLogger } from '../../plugin/src/observability/logger';
import { PluginMetrics } from '../../plugin/src/observability/prom-metrics';
import { config as baseConfig, gpuResource, inventory, sharedResource, UUIDS } from './allocate/allocate-fixtures';
import { KubeletStub } from './helpers/kubelet-stub';

class InitFailure extends Error {}

/** An in-memory DeviceSource: the fixture inventory, health events pushed by the test. */
class FakeSource implements DeviceSource {
  emit: ((e: HealthEvent) => void) | undefined;
  watching = false;
  closed = false;
  constructor(private readonly result: DeviceInventory | Error) {}
  discover(): DeviceInventory {
    if (this.result instanceof Error) throw this.result;
    return this.result;
  }
  async watchHealth(_inv: DeviceInventory, signal: AbortSignal, onEvent: (e: HealthEvent) => void): Promise<void> {
    this.emit = onEvent;
    this.watching = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.watching = false;
  }
  close(): void {
    this.closed = true;
  }
}

/** Resources as a function of the config: whole GPUs, or time-slicing replicas when configured. */
function buildResources(config: PluginConfig, inv: DeviceInventory): AdvertisedResource[] {
  if (inv.gpus.length === 0) return [];
  return config.sharing.timeSlicing ? [sharedResource('time-slicing', false)] : [gpuResource()];
}

let stub: KubeletStub;
let runtime: PluginRuntime;
let source: FakeSource;
let logLines: string[];
let nextConfig: () => PluginConfig;

function runtimeConfig(patch: Parameters<typeof baseConfig>[0] = {}): PluginConfig {
  const config = baseConfig(patch);
  config.runtime = { ...config.runtime, devicePluginPath: stub.dir, kubeletSocket: 'kubelet.sock', metricsPort: 0 };
  return config;
}

function newRuntime(config: PluginConfig, result: DeviceInventory | Error = inventory()): PluginRuntime {
  source = new FakeSource(result);
  logLines = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const deps: RuntimeDeps = {
    createDeviceSource: () => source,
    buildResources,
    preferred: ({ available, size }) => available.slice(0, size),
    createHealthMonitor: (_health, onChange) => ({
      handle: (e) => onChange(e.uuid, e.healthy, e.reason),
      stop: () => undefined,
    }),
    isInitError: (err) => err instanceof InitFailure,
  };
  nextConfig = () => config;
  return new PluginRuntime({
    config,
    logger: createLogger({ level: 'info', destination }),
    metrics: new PluginMetrics({ defaultMetrics: false }),
    deps,
    reloadConfig: () => nextConfig(),
    registrationRetryMs: 100,
  });
}

beforeEach(async () => {
  stub = await KubeletStub.start();
});

afterEach(async () => {
  await runtime.stop();
  await stub.stop();
});

describe('PluginRuntime', () => {
  it('serves and registers the resources built from the discovered devices', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    await stub.waitFor('readiness', () => runtime.readiness().ready);
    expect(stub.latest('nvidia.com/gpu')?.map((d) => d.ID)).toEqual(UUIDS);
  });

  it('reads the GPU topology only once the kubelet has the device list; a GetPreferredAllocation before reads it then', async () => {
    const inv = inventory();
    const topology = inv.topology;
    const events: string[] = [];
    const hasList = (): boolean => (stub.resources.get('nvidia.com/gpu')?.lists.length ?? 0) > 0;
    let finishReading!: () => void;
    const deferred: DeviceInventory = {
      ...inv,
      // As NVML discovery does: read in the background later, or at once when used first.
      readTopology: async () => {
        events.push(`readTopology, kubelet has the list: ${hasList()}`);
        await new Promise<void>((resolve) => (finishReading = resolve));
      },
    };
    Object.defineProperty(deferred, 'topology', {
      get: () => {
        events.push(`topology used, kubelet has the list: ${hasList()}`);
        return topology;
      },
    });
    runtime = newRuntime(runtimeConfig(), deferred);
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    await stub.waitFor('the background topology read', () => events.length > 0);
    expect(events).toEqual(['readTopology, kubelet has the list: true']);
    const res = await stub.client('nvidia.com/gpu').preferred({
      container_requests: [{ available_deviceIDs: UUIDS, must_include_deviceIDs: [], allocation_size: 2 }],
    });
    expect(res.container_responses[0].deviceIDs).toHaveLength(2);
    expect(events).toEqual(['readTopology, kubelet has the list: true', 'topology used, kubelet has the list: true']);
    finishReading();
  });

  it('sends an Unhealthy device to the kubelet as soon as the health monitor reports it', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    await stub.waitFor('the health watch', () => source.watching);
    source.emit!({ uuid: UUIDS[1], healthy: false, xid: 48, reason: 'XID 48 (double-bit ECC error)' });
    await stub.waitFor('the update', () => stub.latest('nvidia.com/gpu')?.[1].health === 'Unhealthy');
    expect((await runtime.metrics.render()).body).toContain(
      'gpu_device_plugin_devices{resource="nvidia.com/gpu",health="Unhealthy"} 1',
    );
  });

  it('reloads a good config: the new resource registers, the old one gets an empty list', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    const old = stub.resources.get('nvidia.com/gpu')!;
    nextConfig = () => {
      const c = runtimeConfig();
      c.sharing = {
        timeSlicing: {
          renameByDefault: true,
          failRequestsGreaterThanOne: false,
          resources: [{ name: 'nvidia.com/gpu', devices: 'all', replicas: 2 }],
        },
      };
      return c;
    };
    await runtime.reload();
    await stub.waitForResources(['nvidia.com/gpu.shared']);
    await stub.waitFor('the old stream to end', () => old.streamEnded);
    expect(old.lists.at(-1)).toEqual([]);
  });

  it('keeps the last good config serving on a bad one and logs why', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    nextConfig = () => {
      throw new Error('config file /etc/x.yaml: flags.migStrategy must be one of none, single, mixed (got "weird")');
    };
    await runtime.reload();
    expect(logLines.join('')).toContain('flags.migStrategy must be one of none, single, mixed');
    expect(stub.registerCount('nvidia.com/gpu')).toBe(1);
    expect(stub.resources.get('nvidia.com/gpu')!.streamEnded).toBe(false);
    expect(runtime.readiness().ready).toBe(true);
  });

  it('keeps an Unhealthy device Unhealthy across a reload', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    await stub.waitFor('the health watch', () => source.watching);
    source.emit!({ uuid: UUIDS[0], healthy: false, xid: 79, reason: 'XID 79 (fallen off the bus)' });
    await runtime.reload();
    await stub.waitFor('registration after the reload', () => stub.registerCount('nvidia.com/gpu') === 2);
    await stub.waitForResources(['nvidia.com/gpu']);
    expect(stub.latest('nvidia.com/gpu')?.map((d) => d.health)).toEqual(['Unhealthy', 'Healthy', 'Healthy']);
  });

  it('idles and reports ready when NVML cannot start and failOnInitError is false', async () => {
    runtime = newRuntime(
      runtimeConfig({ flags: { failOnInitError: false } }),
      new InitFailure('NVML: driver not loaded'),
    );
    await runtime.start();
    expect(runtime.readiness()).toEqual({ ready: true, reason: expect.stringContaining('NVML: driver not loaded') });
    expect(stub.registrations).toEqual([]);
  });

  it('fails to start when NVML cannot start and failOnInitError is true', async () => {
    runtime = newRuntime(runtimeConfig(), new InitFailure('NVML: driver not loaded'));
    await expect(runtime.start()).rejects.toThrow('NVML: driver not loaded');
  });

  it('fails to start on other discovery errors even with failOnInitError false', async () => {
    runtime = newRuntime(runtimeConfig({ flags: { failOnInitError: false } }), new Error('reading GPU 3 failed'));
    await expect(runtime.start()).rejects.toThrow('reading GPU 3 failed');
  });

  it('idles and reports ready on a node without GPUs', async () => {
    runtime = newRuntime(runtimeConfig(), { ...inventory(), gpus: [] });
    await runtime.start();
    expect(runtime.readiness()).toEqual({
      ready: true,
      reason: 'idle: no GPUs found on this node, nothing to advertise',
    });
  });

  it('serves /readyz on the configured port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const config = runtimeConfig();
    config.runtime = { ...config.runtime, metricsPort: port, metricsBindAddress: '127.0.0.1' };
    runtime = newRuntime(config);
    await runtime.start();
    await stub.waitFor('readiness', () => runtime.readiness().ready);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(200);
  });

  it('on stop sends an empty list, removes the sockets, stops the health watch and closes NVML', async () => {
    runtime = newRuntime(runtimeConfig());
    await runtime.start();
    await stub.waitForResources(['nvidia.com/gpu']);
    await stub.waitFor('the health watch', () => source.watching);
    const state = stub.resources.get('nvidia.com/gpu')!;
    await runtime.stop();
    await stub.waitFor('the stream to end', () => state.streamEnded);
    expect(state.lists.at(-1)).toEqual([]);
    expect(fs.existsSync(path.join(stub.dir, 'nvidia-gpu.sock'))).toBe(false);
    expect([source.watching, source.closed]).toEqual([false, true]);
  });
});
