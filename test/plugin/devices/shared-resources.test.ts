import { buildDeviceMap } from '../../../plugin/src/devices/base-resources';
import { applySharing, replicaId, type ResourceGroup } from '../../../plugin/src/devices/shared-resources';
import type { MigStrategy, Sharing } from '../../../plugin/src/config/types';
import { gpu, gpus, inventory, migGpu, sharing } from './inventory-fixtures';

function groups(sharingConfig: Sharing, list = gpus(4), strategy: MigStrategy = 'none'): ResourceGroup[] {
  return applySharing(buildDeviceMap(strategy, inventory(list)), sharingConfig, strategy);
}

/** name → [sharing, replicas, fail>1, device ids] */
const summary = (gs: ResourceGroup[]) =>
  Object.fromEntries(
    gs.map((g) => [g.name, [g.sharing, g.replicas, g.failRequestsGreaterThanOne, g.devices.map((d) => d.id)]]),
  );

const U = (i: number) => gpu(i).uuid;
const R = (i: number, n: number) => replicaId(U(i), n);

test('replica IDs are <uuid>::<n>', () => {
  expect(replicaId('GPU-x', 3)).toBe('GPU-x::3');
});

test('without sharing every resource is advertised once per device', () => {
  expect(summary(groups({}))).toEqual({ 'nvidia.com/gpu': ['none', 1, false, [U(0), U(1), U(2), U(3)]] });
});

describe('time-slicing', () => {
  test.each([
    [
      'keeps the name by default',
      sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 2 }]),
      { 'nvidia.com/gpu': ['time-slicing', 2, false, [R(0, 0), R(0, 1), R(1, 0), R(1, 1)]] },
    ],
    [
      'adds .shared with renameByDefault',
      sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 2 }], { renameByDefault: true }),
      { 'nvidia.com/gpu.shared': ['time-slicing', 2, false, [R(0, 0), R(0, 1), R(1, 0), R(1, 1)]] },
    ],
    [
      'uses rename over renameByDefault',
      sharing([{ name: 'nvidia.com/gpu', rename: 'gpu-ts', devices: 'all', replicas: 1 }], { renameByDefault: true }),
      { 'nvidia.com/gpu-ts': ['time-slicing', 1, false, [R(0, 0), R(1, 0)]] },
    ],
    [
      'passes failRequestsGreaterThanOne on',
      sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 1 }], { failRequestsGreaterThanOne: true }),
      { 'nvidia.com/gpu': ['time-slicing', 1, true, [R(0, 0), R(1, 0)]] },
    ],
    [
      'shares only the listed devices (index and UUID), the rest stay unshared',
      sharing([{ name: 'nvidia.com/gpu', devices: [1, U(0)], replicas: 2 }], { renameByDefault: true }),
      null,
    ],
  ] as const)('%s', (_what, ts, expected) => {
    const list = expected === null ? gpus(3) : gpus(2);
    const want = expected ?? {
      'nvidia.com/gpu': ['none', 1, false, [U(2)]],
      'nvidia.com/gpu.shared': ['time-slicing', 2, false, [R(0, 0), R(0, 1), R(1, 0), R(1, 1)]],
    };
    expect(summary(groups({ timeSlicing: ts }, list))).toEqual(want);
  });

  test('marks each replica with its number and keeps the physical device', () => {
    const [g] = groups({ timeSlicing: sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 3 }]) }, gpus(1));
    expect(g.devices.map((d) => [d.id, d.uuid, d.replica, d.index])).toEqual([
      [R(0, 0), U(0), 0, '0'],
      [R(0, 1), U(0), 1, '0'],
      [R(0, 2), U(0), 2, '0'],
    ]);
  });

  test('shares MIG devices picked by MIG index under mixed', () => {
    const list = [migGpu(0, ['1g.10gb', '1g.10gb', '3g.40gb'])];
    const ts = sharing([{ name: 'nvidia.com/mig-1g.10gb', devices: ['0:1'], replicas: 2 }], { renameByDefault: true });
    const s = summary(groups({ timeSlicing: ts }, list, 'mixed'));
    expect(Object.keys(s)).toEqual([
      'nvidia.com/mig-3g.40gb',
      'nvidia.com/mig-1g.10gb',
      'nvidia.com/mig-1g.10gb.shared',
    ]);
    expect(s['nvidia.com/mig-1g.10gb'][3]).toEqual([list[0].migDevices[0].uuid]);
    expect(s['nvidia.com/mig-1g.10gb.shared'][3]).toEqual([
      replicaId(list[0].migDevices[1].uuid, 0),
      replicaId(list[0].migDevices[1].uuid, 1),
    ]);
  });

  test('ignores a resource this node does not have', () => {
    const ts = sharing([{ name: 'nvidia.com/mig-1g.10gb', devices: 'all', replicas: 4 }]);
    expect(summary(groups({ timeSlicing: ts }, gpus(1)))).toEqual({ 'nvidia.com/gpu': ['none', 1, false, [U(0)]] });
  });
});

describe('MPS', () => {
  test('always refuses more than one replica per request, whatever the flag says', () => {
    const mps = sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 2 }], {
      failRequestsGreaterThanOne: false,
    });
    expect(summary(groups({ mps }, gpus(1)))).toEqual({ 'nvidia.com/gpu': ['mps', 2, true, [R(0, 0), R(0, 1)]] });
  });

  test('works with migStrategy=single', () => {
    const mps = sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas: 2 }], { renameByDefault: true });
    const list = [migGpu(0, ['3g.40gb', '3g.40gb'])];
    expect(summary(groups({ mps }, list, 'single'))['nvidia.com/gpu.shared'][3]).toHaveLength(4);
  });
});

test.each([
  [
    'time-slicing and MPS together',
    {
      timeSlicing: sharing([{ name: 'gpu', devices: 'all', replicas: 2 }]),
      mps: sharing([{ name: 'gpu', devices: 'all', replicas: 2 }]),
    },
    'none',
    /sharing\.timeSlicing and sharing\.mps are both set/,
  ],
  [
    'MPS with migStrategy=mixed',
    { mps: sharing([{ name: 'gpu', devices: 'all', replicas: 2 }]) },
    'mixed',
    /sharing\.mps cannot be used with migStrategy=mixed/,
  ],
  [
    'a device that is not on the node',
    { timeSlicing: sharing([{ name: 'nvidia.com/gpu', rename: 'x', devices: [7], replicas: 2 }]) },
    'none',
    /sharing\.timeSlicing\.resources\[0\]\.devices: no nvidia\.com\/gpu device matches '7' on this node \(its devices: 0, 1, 2, 3\)/,
  ],
  [
    'sharing some devices without a new name',
    { timeSlicing: sharing([{ name: 'nvidia.com/gpu', devices: [0], replicas: 2 }]) },
    'none',
    /sharing\.timeSlicing\.resources\[0\]: only some nvidia\.com\/gpu devices are shared.*Set rename/,
  ],
  [
    'the same resource twice',
    {
      timeSlicing: sharing([
        { name: 'gpu', devices: 'all', replicas: 2 },
        { name: 'nvidia.com/gpu', devices: 'all', replicas: 3 },
      ]),
    },
    'none',
    /resources\[1\]: nvidia\.com\/gpu is listed twice/,
  ],
  [
    'zero replicas',
    { timeSlicing: sharing([{ name: 'gpu', devices: 'all', replicas: 0 }]) },
    'none',
    /resources\[0\]\.replicas must be a whole number ≥ 1 \(got 0\)/,
  ],
  [
    'a rename onto another resource',
    { timeSlicing: sharing([{ name: 'nvidia.com/mig-1g.10gb', rename: 'mig-3g.40gb', devices: 'all', replicas: 2 }]) },
    'mixed',
    /resource name nvidia\.com\/mig-3g\.40gb is already used by discovered devices/,
  ],
  [
    'a rename longer than 63 characters',
    { timeSlicing: sharing([{ name: 'gpu', rename: 'g'.repeat(60), devices: 'all', replicas: 2 }]) },
    'none',
    /resources\[0\]\.rename: resource name 'nvidia\.com\/g+' is 71 characters; the kubelet accepts at most 63/,
  ],
  [
    'a rename that is not a DNS name',
    { timeSlicing: sharing([{ name: 'gpu', rename: 'GPU_Shared', devices: 'all', replicas: 2 }]) },
    'none',
    /resources\[0\]\.rename: resource name 'nvidia\.com\/GPU_Shared' is not valid/,
  ],
] as const)('refuses %s', (_what, sharingConfig, strategy, message) => {
  const list = strategy === 'mixed' ? [migGpu(0, ['1g.10gb', '3g.40gb'])] : gpus(4);
  expect(() => groups(sharingConfig as Sharing, list, strategy)).toThrow(message);
});
