import { buildDeviceMap, gpuDevice, migDevice } from '../../../plugin/src/devices/base-resources';
import type { AdvertisedDevice } from '../../../plugin/src/devices/types';
import { gpu, gpus, inventory, mig, migGpu } from './inventory-fixtures';

/** Resource name → device ids, for compact expectations. */
const ids = (map: Map<string, AdvertisedDevice[]>) =>
  Object.fromEntries([...map].map(([name, devices]) => [name, devices.map((d) => d.index)]));

describe('device entries', () => {
  test('a GPU is advertised by UUID with its index, minor and NUMA node', () => {
    expect(gpuDevice(gpu(5))).toEqual({
      id: gpu(5).uuid,
      uuid: gpu(5).uuid,
      index: '5',
      gpuIndex: 5,
      numaNode: 1,
      healthy: true,
      minor: 5,
    });
  });

  test('a GPU without NUMA node has no numaNode key', () => {
    expect(gpuDevice(gpu(0, { numaNode: undefined }))).not.toHaveProperty('numaNode');
  });

  test('a MIG device carries its parent’s minor and NUMA node and its own index', () => {
    const parent = migGpu(2, ['1g.10gb', '1g.10gb']);
    const d = migDevice(parent, parent.migDevices[1]);
    expect(d).toEqual({
      id: parent.migDevices[1].uuid,
      uuid: parent.migDevices[1].uuid,
      index: '2:1',
      gpuIndex: 2,
      numaNode: 0,
      healthy: true,
      minor: 2,
      mig: parent.migDevices[1],
    });
  });
});

describe('migStrategy', () => {
  test.each([
    ['none: every GPU, MIG or not', 'none', [gpu(0), migGpu(1, ['1g.10gb'])], { 'nvidia.com/gpu': ['0', '1'] }],
    [
      'single: MIG devices as nvidia.com/gpu',
      'single',
      [migGpu(0, ['1g.10gb', '1g.10gb']), migGpu(1, ['1g.10gb'])],
      { 'nvidia.com/gpu': ['0:0', '0:1', '1:0'] },
    ],
    ['single: whole GPUs when no GPU has MIG on', 'single', gpus(2), { 'nvidia.com/gpu': ['0', '1'] }],
    [
      'mixed: one resource per profile, whole GPUs stay nvidia.com/gpu',
      'mixed',
      [migGpu(0, ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']), gpu(1), migGpu(2, ['7g.80gb'])],
      {
        'nvidia.com/mig-3g.40gb': ['0:0'],
        'nvidia.com/mig-2g.20gb': ['0:1'],
        'nvidia.com/mig-1g.10gb': ['0:2', '0:3'],
        'nvidia.com/gpu': ['1'],
        'nvidia.com/mig-7g.80gb': ['2:0'],
      },
    ],
    [
      'mixed: +me becomes .me',
      'mixed',
      [migGpu(0, ['1g.10gb+me', '1g.10gb'])],
      { 'nvidia.com/mig-1g.10gb.me': ['0:0'], 'nvidia.com/mig-1g.10gb': ['0:1'] },
    ],
    ['any: a node without GPUs has no resources', 'mixed', [], {}],
  ] as const)('%s', (_what, strategy, list, expected) => {
    expect(ids(buildDeviceMap(strategy, inventory([...list])))).toEqual(expected);
  });

  test.each([
    [
      'single with MIG on some GPUs only',
      'single',
      [migGpu(0, ['1g.10gb']), gpu(1), gpu(2)],
      /migStrategy=single needs every GPU configured the same way, but MIG is enabled on GPU 0 and disabled on GPU 1, 2\. Enable MIG on all GPUs or on none, or use migStrategy=mixed/,
    ],
    [
      'single with two profiles',
      'single',
      [migGpu(0, ['3g.40gb', '1g.10gb']), migGpu(1, ['1g.10gb'])],
      /one MIG profile on the whole node, but found 3g\.40gb \(MIG 0:0\); 1g\.10gb \(MIG 0:1, 1:0\)\. .*migStrategy=mixed/,
    ],
    [
      'single with MIG on and no MIG devices',
      'single',
      [migGpu(0, [])],
      /MIG is enabled on GPU 0 \(GPU-[0-9a-f-]+\) but it has no MIG devices.*nvidia-smi/,
    ],
    [
      'mixed with MIG on and no MIG devices',
      'mixed',
      [gpu(0), migGpu(1, [])],
      /MIG is enabled on GPU 1 .* no MIG devices/,
    ],
    [
      'mixed with a compute-instance subdivision',
      'mixed',
      [gpu(0, { migEnabled: true, migDevices: [mig(0, 0, '1c.2g.20gb')] })],
      /MIG device 0:0 \(MIG-[0-9a-f-]+\) has profile 1c\.2g\.20gb: .*migStrategy=mixed advertises only whole-GPU-instance profiles/,
    ],
  ] as const)('refuses %s', (_what, strategy, list, message) => {
    expect(() => buildDeviceMap(strategy, inventory([...list]))).toThrow(message);
  });

  test('single accepts a compute-instance subdivision, as NVIDIA does', () => {
    const list = [gpu(0, { migEnabled: true, migDevices: [mig(0, 0, '1c.2g.20gb'), mig(0, 1, '1c.2g.20gb')] })];
    expect(ids(buildDeviceMap('single', inventory(list)))).toEqual({ 'nvidia.com/gpu': ['0:0', '0:1'] });
  });
});
