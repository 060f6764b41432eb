import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverInventory } from '../../../plugin/src/devices/nvml-discovery';
import { Nvml } from '../../../plugin/src/devices/nvml';
import { PcieLevel, type DeviceInventory } from '../../../plugin/src/devices/types';
import { a100MigSpec, defaultSpec, gpuUuid, migUuid, useFakeNvml, type FakeNvmlSpec } from '../helpers/fake-nvml';

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

/** Discovers `spec` through the fake library, with NVML shut down again afterwards. */
function discover(
  spec: FakeNvmlSpec,
  prepare: (dir: string) => void = () => undefined,
): { inv: DeviceInventory; warnings: string[] } {
  const fake = useFakeNvml(spec);
  dirs.push(fake.dir);
  prepare(fake.dir);
  const nvml = Nvml.load(fake.libraryPath);
  const warnings: string[] = [];
  nvml.init();
  try {
    const inv = discoverInventory(nvml, {
      sysfsRoot: fake.sysfsRoot,
      procRoot: join(fake.dir, 'proc'),
      warn: (_o, m) => warnings.push(m),
    });
    // The topology is read on first use (see 'deferred topology' below): read it while NVML is up.
    void inv.topology;
    return { inv, warnings };
  } finally {
    nvml.shutdown();
  }
}

describe('topology', () => {
  test('counts the NVLinks of a DGX-1 hybrid cube mesh between each pair', () => {
    const spec = defaultSpec(8);
    const { inv } = discover(spec);
    expect(inv.topology.nvlinks).toEqual(spec.nvlinks);
    expect(inv.topology.nvlinks.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(8).fill(6));
  });

  test('reads the PCIe level of every pair, symmetric, INTERNAL on the diagonal', () => {
    const { inv } = discover(defaultSpec(4));
    const { SINGLE: S, NODE: N, SYSTEM: X, INTERNAL: I } = PcieLevel;
    expect(inv.topology.pcie).toEqual([
      [I, S, X, X],
      [S, I, X, X],
      [X, X, I, S],
      [X, X, S, I],
    ]);
    expect(discover(defaultSpec(8)).inv.topology.pcie[0]).toEqual([I, S, N, N, X, X, X, X]);
  });

  test('reports no NVLink on a PCIe-only node', () => {
    const { inv } = discover(defaultSpec(4));
    expect(inv.topology.nvlinks).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  test('links GPUs on an NVSwitch fabric by the smaller of their switch link counts', () => {
    const { inv } = discover({ ...defaultSpec(3), nvswitchLinks: [18, 18, 12] });
    expect(inv.topology.nvlinks).toEqual([
      [0, 18, 12],
      [18, 0, 12],
      [12, 12, 0],
    ]);
  });

  test('adds direct links and switch links together', () => {
    const spec = defaultSpec(2);
    const { inv } = discover({
      ...spec,
      nvlinks: [
        [0, 2],
        [2, 0],
      ],
      nvswitchLinks: [4, 4],
    });
    expect(inv.topology.nvlinks).toEqual([
      [0, 6],
      [6, 0],
    ]);
  });

  test('treats an unconfigured pair as on different sockets', () => {
    const { inv } = discover({ ...defaultSpec(2), pcie: undefined });
    expect(inv.topology.pcie[0][1]).toBe(PcieLevel.SYSTEM);
  });
});

describe('MIG', () => {
  test('lists the MIG devices of an A100 layout with NVIDIA’s profile names', () => {
    const { inv } = discover(a100MigSpec());
    expect(inv.gpus.map((g) => [g.migEnabled, g.migDevices.map((m) => m.profile)])).toEqual([
      [true, ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']],
      [true, ['7g.80gb']],
    ]);
  });

  test('gives each MIG device its UUID, indices, instance ids and memory', () => {
    const { inv } = discover(a100MigSpec());
    expect(inv.gpus[0].migDevices[1]).toEqual({
      uuid: migUuid(0, 1),
      parentIndex: 0,
      migIndex: 1,
      index: '0:1',
      gpuInstanceId: 3,
      computeInstanceId: 0,
      profile: '2g.20gb',
      memoryMiB: 19968,
      gpuInstanceCapMinor: undefined,
      computeInstanceCapMinor: undefined,
      attributes: {
        multiprocessorCount: 28,
        sharedCopyEngineCount: 2,
        sharedDecoderCount: 1,
        sharedEncoderCount: 0,
        sharedJpegCount: 0,
        sharedOfaCount: 0,
        gpuInstanceSliceCount: 2,
        computeInstanceSliceCount: 2,
        memorySizeMB: 19968,
      },
    });
  });

  test('keeps NVML’s sparse MIG slots as the MIG index', () => {
    const spec = a100MigSpec();
    spec.gpus[0].migDevices = spec.gpus[0].migDevices!.map((m, i) => ({ ...m, slot: i * 2 }));
    const { inv } = discover(spec);
    expect(inv.gpus[0].migDevices.map((m) => m.index)).toEqual(['0:0', '0:2', '0:4', '0:6']);
  });

  test('names compute-instance subdivisions and media-extension instances', () => {
    const spec = a100MigSpec();
    spec.gpus[1].migDevices = [
      {
        uuid: migUuid(1, 0),
        gpuInstanceId: 3,
        computeInstanceId: 0,
        gpuInstanceSlices: 2,
        computeInstanceSlices: 1,
        memoryMiB: 19968,
      },
      {
        uuid: migUuid(1, 1),
        gpuInstanceId: 3,
        computeInstanceId: 1,
        gpuInstanceSlices: 2,
        computeInstanceSlices: 1,
        memoryMiB: 19968,
      },
      {
        uuid: migUuid(1, 2),
        gpuInstanceId: 9,
        computeInstanceId: 0,
        gpuInstanceSlices: 1,
        computeInstanceSlices: 1,
        memoryMiB: 9856,
        ofas: 1,
        decoders: 1,
        jpegs: 1,
      },
    ];
    const { inv } = discover(spec);
    expect(inv.gpus[1].migDevices.map((m) => m.profile)).toEqual(['1c.2g.20gb', '1c.2g.20gb', '1g.10gb+me']);
  });

  test('ignores MIG devices of a GPU whose MIG mode is off', () => {
    const spec = a100MigSpec();
    spec.gpus[1].migEnabled = false;
    const { inv } = discover(spec);
    expect([inv.gpus[1].migCapable, inv.gpus[1].migEnabled, inv.gpus[1].migDevices]).toEqual([true, false, []]);
  });

  test('marks a GPU without MIG support as not MIG capable', () => {
    const spec = defaultSpec(1);
    spec.gpus[0] = { ...spec.gpus[0], name: 'Tesla T4', migCapable: false };
    const { inv } = discover(spec);
    expect([inv.gpus[0].migCapable, inv.gpus[0].migEnabled]).toEqual([false, false]);
  });

  test('reads GPU- and compute-instance capability minors from procfs', () => {
    const { inv } = discover(a100MigSpec(), (dir) => {
      mkdirSync(join(dir, 'proc', 'driver', 'nvidia-caps'), { recursive: true });
      writeFileSync(
        join(dir, 'proc', 'driver', 'nvidia-caps', 'mig-minors'),
        'config 1\nmonitor 2\ngpu1/gi0/access 12\ngpu1/gi0/ci0/access 13\n',
      );
    });
    expect(inv.gpus[1].migDevices[0]).toMatchObject({ gpuInstanceCapMinor: 12, computeInstanceCapMinor: 13 });
  });
});

describe('NUMA', () => {
  test('reads each GPU’s NUMA node from sysfs', () => {
    const { inv } = discover(defaultSpec(4));
    expect(inv.gpus.map((g) => g.numaNode)).toEqual([0, 0, 1, 1]);
  });

  test('leaves the NUMA node undefined when the kernel reports -1', () => {
    const spec = defaultSpec(1);
    spec.gpus[0].numaNode = undefined;
    const { inv } = discover(spec);
    expect(inv.gpus[0]).toMatchObject({ uuid: gpuUuid(0), numaNode: undefined });
  });
});

describe('deferred topology', () => {
  /** Discovery with NVML left open, and counters of the topology calls. */
  function open(spec: FakeNvmlSpec) {
    const fake = useFakeNvml(spec);
    dirs.push(fake.dir);
    const nvml = Nvml.load(fake.libraryPath);
    nvml.init();
    let up = true;
    const links = jest.spyOn(nvml, 'nvlinkActive');
    const pairs = jest.spyOn(nvml, 'commonAncestor');
    const inv = discoverInventory(nvml, {
      sysfsRoot: fake.sysfsRoot,
      procRoot: join(fake.dir, 'proc'),
      warn: () => undefined,
      isOpen: () => up,
    });
    const shutdown = (): void => {
      up = false;
      nvml.shutdown();
    };
    return { inv, links, pairs, shutdown };
  }

  test('discovery reads no NVLink or PCIe level until the topology is used; then all of it, once', () => {
    const spec = defaultSpec(8);
    const { inv, links, pairs, shutdown } = open(spec);
    try {
      expect(inv.gpus).toHaveLength(8);
      expect(links).not.toHaveBeenCalled();
      expect(pairs).not.toHaveBeenCalled();
      expect(inv.topology.nvlinks).toEqual(spec.nvlinks);
      expect(pairs).toHaveBeenCalledTimes((8 * 7) / 2);
      const calls = links.mock.calls.length;
      expect(inv.topology.pcie[0][1]).toBe(PcieLevel.SINGLE);
      expect(links.mock.calls.length).toBe(calls);
    } finally {
      shutdown();
    }
  });

  test('readTopology reads it a GPU at a time, yielding between steps, to the same answer', async () => {
    const spec = defaultSpec(8);
    const { inv, links, pairs, shutdown } = open(spec);
    try {
      const reading = inv.readTopology!();
      // One step ran synchronously (GPU 0's links); the rest waits for the event loop.
      const gpusProbed = new Set(links.mock.calls.map(([handle]) => handle));
      expect(gpusProbed.size).toBe(1);
      expect(pairs).not.toHaveBeenCalled();
      await reading;
      expect(pairs).toHaveBeenCalledTimes((8 * 7) / 2);
      const calls = links.mock.calls.length + pairs.mock.calls.length;
      expect(inv.topology.nvlinks).toEqual(spec.nvlinks);
      expect(links.mock.calls.length + pairs.mock.calls.length).toBe(calls);
    } finally {
      shutdown();
    }
  });

  test('a use of the topology in the middle of readTopology reads the rest at once', async () => {
    const spec = defaultSpec(8);
    const { inv, pairs, shutdown } = open(spec);
    try {
      const reading = inv.readTopology!();
      expect(inv.topology.nvlinks).toEqual(spec.nvlinks);
      expect(pairs).toHaveBeenCalledTimes((8 * 7) / 2);
      await reading;
      expect(pairs).toHaveBeenCalledTimes((8 * 7) / 2);
    } finally {
      shutdown();
    }
  });

  test('stops when aborted, and says so when NVML is shut down before the topology is read', async () => {
    const { inv, pairs, shutdown } = open(defaultSpec(8));
    const abort = new AbortController();
    abort.abort();
    await inv.readTopology!(abort.signal);
    expect(pairs).not.toHaveBeenCalled();
    shutdown();
    expect(() => inv.topology).toThrow(/NVML was shut down before the GPU topology was read/);
  });
});
