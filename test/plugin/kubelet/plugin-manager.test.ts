import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiDevice, ContainerAllocateResponse } from '../../../plugin/src/kubelet/api-types';
import type { DevicePluginBackend } from '../../../plugin/src/kubelet/device-plugin-server';
import { PluginManager, type ManagedResource } from '../../../plugin/src/kubelet/plugin-manager';
import { PluginMetrics } from '../../../plugin/src/observability/prom-metrics';
import { KubeletStub, silentLogger } from '../helpers/kubelet-stub';

class Backend implements DevicePluginBackend {
  list: ApiDevice[];
  constructor(
    readonly resourceName: string,
    ids: string[],
  ) {
    this.list = ids.map((ID) => ({ ID, health: 'Healthy', topology: { nodes: [{ ID: 0 }] } }));
  }
  devices(): ApiDevice[] {
    return this.list;
  }
  allocate(): ContainerAllocateResponse {
    return { envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [] };
  }
  preferredAllocation(): string[] {
    return [];
  }
}

const GPU = 'nvidia.com/gpu';
const MIG = 'nvidia.com/mig-1g.10gb';

function resources(): ManagedResource[] {
  return [
    { socketName: 'nvidia-gpu.sock', backend: new Backend(GPU, ['GPU-a', 'GPU-b']) },
    { socketName: 'nvidia-mig-1g.10gb.sock', backend: new Backend(MIG, ['MIG-a']) },
  ];
}

let stub: KubeletStub;
let manager: PluginManager;
let metrics: PluginMetrics;

function newManager(retryMs = 100): PluginManager {
  metrics = new PluginMetrics({ defaultMetrics: false });
  return new PluginManager({
    devicePluginPath: stub.dir,
    kubeletSocket: stub.socketPath,
    logger: silentLogger(),
    metrics,
    retryMs,
    dialTimeoutMs: 500,
    watchDebounceMs: 30,
    watchPollMs: 500,
  });
}

beforeEach(async () => {
  stub = await KubeletStub.start();
  manager = newManager();
});

afterEach(async () => {
  await manager.stop();
  await stub.stop();
});

describe('PluginManager', () => {
  it('serves and registers every resource on its own socket', async () => {
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    expect(stub.registrations.map((r) => [r.resource_name, r.endpoint])).toEqual(
      expect.arrayContaining([
        [GPU, 'nvidia-gpu.sock'],
        [MIG, 'nvidia-mig-1g.10gb.sock'],
      ]),
    );
    expect(stub.latest(GPU)?.map((d) => d.ID)).toEqual(['GPU-a', 'GPU-b']);
  });

  it('is ready only once every resource is registered', async () => {
    expect(manager.readiness().ready).toBe(false);
    await manager.start(resources());
    await stub.waitFor('readiness', () => manager.readiness().ready);
    expect(manager.readiness().reason).toBe(`registered with the kubelet: ${GPU}, ${MIG}`);
  });

  it('registers again after each of 5 kubelet restarts in a row', async () => {
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    for (let i = 0; i < 5; i++) {
      await stub.restart();
      await stub.waitForResources([GPU, MIG]);
    }
    expect(stub.registerCount(GPU)).toBe(6);
    expect(stub.registerCount(MIG)).toBe(6);
  });

  it('registers once per kubelet.sock even when its restart arrives as a second batch', async () => {
    // Under load the kubelet's restart can reach the manager as two batches: the deleted plugin
    // socket (served again and registered, already with the new kubelet.sock) and then the new
    // kubelet.sock itself. The second batch must not register again: the kubelet would reset
    // the endpoint it just accepted (seen as 22 registrations for 20 restarts under load).
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    const reconcile = (
      manager as unknown as { reconcile(e: { kubeletRestarted: boolean; kubeletPresent: boolean }): Promise<void> }
    ).reconcile.bind(manager);
    await reconcile({ kubeletRestarted: true, kubeletPresent: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stub.registerCount(GPU)).toBe(1);
    expect(stub.registerCount(MIG)).toBe(1);
    // A kubelet.sock that really is new still gets every resource registered again.
    await stub.restart();
    await stub.waitForResources([GPU, MIG]);
    expect(stub.registerCount(GPU)).toBe(2);
    expect(stub.registerCount(MIG)).toBe(2);
  });

  it('serves a deleted plugin socket again and re-registers that resource only', async () => {
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    fs.unlinkSync(path.join(stub.dir, 'nvidia-gpu.sock'));
    await stub.waitFor('the GPU resource to register again', () => stub.registerCount(GPU) === 2);
    await stub.waitForResources([GPU]);
    expect(fs.lstatSync(path.join(stub.dir, 'nvidia-gpu.sock')).isSocket()).toBe(true);
    expect(stub.registerCount(MIG)).toBe(1);
  });

  it('retries a refused registration until the kubelet accepts it', async () => {
    stub.rejectWith = 'not now';
    await manager.start(resources());
    await stub.waitFor('two refused attempts', () => stub.registerCount(GPU) >= 2);
    stub.rejectWith = undefined;
    await stub.waitForResources([GPU, MIG]);
    const text = (await metrics.render()).body;
    expect(text).toMatch(/gpu_device_plugin_registrations_total\{resource="nvidia.com\/gpu",result="failure"\} [2-9]/);
  });

  it('waits for kubelet.sock to appear and then registers', async () => {
    await stub.stop();
    stub = await KubeletStub.start();
    const dir = stub.dir;
    await stub.stop();
    fs.mkdirSync(dir, { recursive: true });
    manager = new PluginManager({
      devicePluginPath: dir,
      kubeletSocket: path.join(dir, 'kubelet.sock'),
      logger: silentLogger(),
      retryMs: 100,
      watchDebounceMs: 30,
    });
    await manager.start(resources());
    expect(manager.readiness().ready).toBe(false);
    stub = await KubeletStub.start({ dir });
    await stub.waitForResources([GPU, MIG]);
    await stub.waitFor('readiness', () => manager.readiness().ready);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes an update for one resource on notify', async () => {
    const rs = resources();
    await manager.start(rs);
    await stub.waitForResources([GPU, MIG]);
    (rs[0].backend as Backend).list[1].health = 'Unhealthy';
    manager.notify(GPU);
    await stub.waitFor('the update', () => stub.resources.get(GPU)!.lists.length === 2);
    expect(stub.latest(GPU)?.map((d) => d.health)).toEqual(['Healthy', 'Unhealthy']);
    expect(stub.resources.get(MIG)!.lists).toHaveLength(1);
  });

  it('on replace drops a resource that is gone with an empty list and registers the new one', async () => {
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    const migState = stub.resources.get(MIG)!;
    await manager.replace([
      { socketName: 'nvidia-gpu.shared.sock', backend: new Backend('nvidia.com/gpu.shared', ['GPU-a::0']) },
    ]);
    await stub.waitForResources(['nvidia.com/gpu.shared']);
    await stub.waitFor('the MIG stream to end', () => migState.streamEnded);
    expect(migState.lists.at(-1)).toEqual([]);
    expect(fs.existsSync(path.join(stub.dir, 'nvidia-mig-1g.10gb.sock'))).toBe(false);
    expect(manager.resourceNames()).toEqual(['nvidia.com/gpu.shared']);
  });

  it('on stop sends every stream an empty list, ends them and removes the sockets', async () => {
    await manager.start(resources());
    await stub.waitForResources([GPU, MIG]);
    const states = [stub.resources.get(GPU)!, stub.resources.get(MIG)!];
    await manager.stop();
    await stub.waitFor('both streams to end', () => states.every((s) => s.streamEnded));
    expect(states.map((s) => s.lists.at(-1))).toEqual([[], []]);
    expect(states.map((s) => s.streamEnd)).toEqual(['end', 'end']);
    expect(fs.readdirSync(stub.dir).filter((f) => f.startsWith('nvidia-'))).toEqual([]);
  });
});
