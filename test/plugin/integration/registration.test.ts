/**
 * The real plugin process against a test kubelet: one registration per resource, the
 * ListAndWatch content, recovery from kubelet restarts and deleted sockets, SIGTERM.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { a100MigSpec, defaultSpec, gpuUuid, migUuid, type FakeNvmlSpec } from '../helpers/fake-nvml';
import { startNode, type NodeUnderTest } from './plugin-process';

jest.setTimeout(60000);

const GPU = 'nvidia.com/gpu';
const MIG_RESOURCES = ['nvidia.com/mig-3g.40gb', 'nvidia.com/mig-2g.20gb', 'nvidia.com/mig-1g.10gb'];

/** Four A100s, GPU 0 split into MIG devices (3g.40gb, 2g.20gb, 2 × 1g.10gb); NUMA 0,0,1,1. */
function mixedSpec(): FakeNvmlSpec {
  const spec = defaultSpec(4);
  spec.gpus[0] = { ...spec.gpus[0], migEnabled: true, migDevices: a100MigSpec().gpus[0].migDevices };
  return spec;
}

describe('plugin process: registration and ListAndWatch', () => {
  let n: NodeUnderTest;

  beforeAll(async () => {
    n = await startNode(mixedSpec(), { env: { MIG_STRATEGY: 'mixed' } });
    await n.stub.waitForResources([GPU, ...MIG_RESOURCES], 30000);
  });

  afterAll(async () => {
    await n?.stop();
  });

  it('registers each resource once, on its own socket, with version v1beta1', () => {
    const seen = n.stub.registrations.map((r) => [r.resource_name, r.endpoint, r.version]);
    expect(seen).toHaveLength(4);
    expect(seen).toEqual(
      expect.arrayContaining([
        [GPU, 'nvidia-gpu.sock', 'v1beta1'],
        ['nvidia.com/mig-3g.40gb', 'nvidia-mig-3g.40gb.sock', 'v1beta1'],
        ['nvidia.com/mig-2g.20gb', 'nvidia-mig-2g.20gb.sock', 'v1beta1'],
        ['nvidia.com/mig-1g.10gb', 'nvidia-mig-1g.10gb.sock', 'v1beta1'],
      ]),
    );
  });

  it('answers the kubelet’s GetDevicePluginOptions with preferred allocation available', () => {
    expect(n.stub.resources.get(GPU)?.options).toEqual({
      pre_start_required: false,
      get_preferred_allocation_available: true,
    });
  });

  it('lists the whole GPUs as Healthy with their NUMA nodes', () => {
    const devices = n.stub.latest(GPU)!;
    expect([...devices].sort((a, b) => a.ID.localeCompare(b.ID))).toEqual(
      [1, 2, 3]
        .map((i) => ({ ID: gpuUuid(i), health: 'Healthy', topology: { nodes: [{ ID: i < 2 ? 0 : 1 }] } }))
        .sort((a, b) => a.ID.localeCompare(b.ID)),
    );
  });

  it('lists the MIG devices of a profile with the parent GPU’s NUMA node', () => {
    const devices = n.stub.latest('nvidia.com/mig-1g.10gb')!;
    expect(devices.map((d) => d.ID).sort()).toEqual([migUuid(0, 2), migUuid(0, 3)].sort());
    expect(devices.every((d) => d.health === 'Healthy' && d.topology?.nodes[0].ID === 0)).toBe(true);
  });
});

describe('plugin process: kubelet restarts and deleted sockets', () => {
  let n: NodeUnderTest;

  beforeAll(async () => {
    n = await startNode(defaultSpec(2));
    await n.stub.waitForResources([GPU], 30000);
  });

  afterAll(async () => {
    await n?.stop();
  });

  it('registers again after each of 20 kubelet restarts in a row', async () => {
    for (let i = 1; i <= 20; i++) {
      await n.stub.restart();
      await n.stub.waitForResources([GPU], 10000).catch((err: Error) => {
        throw new Error(`restart ${i}: ${err.message}`);
      });
    }
    expect(n.stub.registerCount(GPU)).toBe(21);
    expect(n.stub.latest(GPU)).toHaveLength(2);
  });

  it('serves its socket again and re-registers when the socket file is deleted', async () => {
    const before = n.stub.registerCount(GPU);
    fs.unlinkSync(path.join(n.stub.dir, 'nvidia-gpu.sock'));
    await n.stub.waitFor('a new registration', () => n.stub.registerCount(GPU) === before + 1);
    await n.stub.waitForResources([GPU]);
    expect(fs.lstatSync(path.join(n.stub.dir, 'nvidia-gpu.sock')).isSocket()).toBe(true);
    await expect(n.stub.client(GPU).options()).resolves.toBeDefined();
  });
});

describe('plugin process: SIGTERM', () => {
  it('sends an empty device list, ends the stream, removes its sockets and exits 0', async () => {
    const n = await startNode(defaultSpec(2));
    try {
      await n.stub.waitForResources([GPU], 30000);
      const state = n.stub.resources.get(GPU)!;
      n.plugin.signal('SIGTERM');
      const exit = await n.plugin.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      await n.stub.waitFor('the stream to end', () => state.streamEnded);
      expect(state.lists.at(-1)).toEqual([]);
      expect(fs.readdirSync(n.stub.dir).filter((f) => f !== 'kubelet.sock')).toEqual([]);
    } finally {
      await n.stop();
    }
  });
});

describe('plugin process: SIGTERM during a long NVML event wait', () => {
  it('exits 0 at once, with its last log line written, instead of waiting for the wait', async () => {
    // One wait lasts a minute here: a stop or an exit that waited for it would take that long.
    const n = await startNode(defaultSpec(2), { env: { GPU_DEVICE_PLUGIN_EVENT_WAIT_MS: '60000' } });
    try {
      await n.stub.waitForResources([GPU], 30000);
      const t0 = Date.now();
      n.plugin.signal('SIGTERM');
      const exit = await n.plugin.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      // Generous for a loaded machine; the point is seconds, not a minute.
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(n.plugin.logged('stopped').filter((l) => l.msg === 'stopped')).toHaveLength(1);
    } finally {
      await n.stop();
    }
  });
});
