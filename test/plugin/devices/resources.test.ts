import { buildResources } from '../../../plugin/src/devices/resources';
import { gpu, gpus, inventory, migGpu, pluginConfig, sharing } from './inventory-fixtures';

test('advertises nvidia.com/gpu on nvidia-gpu.sock with every field set', () => {
  expect(buildResources(pluginConfig(), inventory(gpus(1)))).toEqual([
    {
      name: 'nvidia.com/gpu',
      socketName: 'nvidia-gpu.sock',
      devices: [{ id: gpu(0).uuid, uuid: gpu(0).uuid, index: '0', gpuIndex: 0, numaNode: 0, healthy: true, minor: 0 }],
      sharing: 'none',
      replicas: 1,
      failRequestsGreaterThanOne: false,
    },
  ]);
});

test.each([
  ['none', undefined, [['nvidia.com/gpu', 'nvidia-gpu.sock']]],
  ['single', undefined, [['nvidia.com/gpu', 'nvidia-gpu.sock']]],
  [
    'mixed',
    undefined,
    [
      ['nvidia.com/mig-1g.10gb.me', 'nvidia-mig-1g.10gb.me.sock'],
      ['nvidia.com/mig-1g.10gb', 'nvidia-mig-1g.10gb.sock'],
    ],
  ],
  [
    'mixed',
    sharing([{ name: 'nvidia.com/mig-1g.10gb', devices: 'all', replicas: 2 }], { renameByDefault: true }),
    [
      ['nvidia.com/mig-1g.10gb.me', 'nvidia-mig-1g.10gb.me.sock'],
      ['nvidia.com/mig-1g.10gb.shared', 'nvidia-mig-1g.10gb.shared.sock'],
    ],
  ],
] as const)('migStrategy=%s names resources and sockets as NVIDIA', (strategy, timeSlicing, expected) => {
  const list =
    strategy === 'single'
      ? [migGpu(0, ['1g.10gb', '1g.10gb'])]
      : strategy === 'mixed'
        ? [migGpu(0, ['1g.10gb+me', '1g.10gb'])]
        : gpus(2);
  const resources = buildResources(pluginConfig({ migStrategy: strategy, sharing: { timeSlicing } }), inventory(list));
  expect(resources.map((r) => [r.name, r.socketName])).toEqual(expected);
});

test('an idle node (no GPUs) advertises nothing', () => {
  expect(buildResources(pluginConfig(), inventory([]))).toEqual([]);
});

describe('the 4 MiB ListAndWatch limit', () => {
  const timeSliced = (replicas: number) =>
    pluginConfig({ sharing: { timeSlicing: sharing([{ name: 'nvidia.com/gpu', devices: 'all', replicas }]) } });

  test('refuses a replica count whose device list exceeds it, saying the size and the fix', () => {
    expect(() => buildResources(timeSliced(100_000), inventory(gpus(8)))).toThrow(
      /^nvidia\.com\/gpu would list 800000 devices in one ListAndWatch message of \d+ bytes \(\d+\.\d MiB\), over the kubelet's 4 MiB gRPC message limit.*Lower sharing\.timeSlicing\.resources\[0\]\.replicas to at most \d+ \(8 devices × 100000 replicas now\)/,
    );
  });

  test('the replica count the message suggests fits', () => {
    let suggested = 0;
    try {
      buildResources(timeSliced(100_000), inventory(gpus(8)));
    } catch (err) {
      suggested = Number(/at most (\d+)/.exec((err as Error).message)![1]);
    }
    expect(suggested).toBeGreaterThan(1000);
    expect(buildResources(timeSliced(suggested), inventory(gpus(8)))[0].devices).toHaveLength(8 * suggested);
  });

  test('a large but reasonable sharing setup passes', () => {
    expect(buildResources(timeSliced(100), inventory(gpus(16)))[0].devices).toHaveLength(1600);
  });
});
