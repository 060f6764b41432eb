/** The parity comparison reports each differing field by path, and only those. */
import { compareRecords } from '../../parity/compare';
import type { ParityRecord } from '../../parity/record';

const options = { pre_start_required: false, get_preferred_allocation_available: true };

function record(over: Partial<ParityRecord> = {}): ParityRecord {
  return {
    scenario: 's',
    resources: [
      {
        name: 'nvidia.com/gpu',
        endpoint: 'nvidia-gpu.sock',
        version: 'v1beta1',
        registerOptions: options,
        options,
        devices: [{ ID: 'GPU-a', health: 'Healthy', numa: [0] }],
      },
    ],
    allocate: [
      { resource: 'nvidia.com/gpu', ids: ['GPU-a'], response: [{ envs: { NVIDIA_VISIBLE_DEVICES: 'GPU-a' } }] },
    ],
    ...over,
  };
}

test('identical records have no differences', () => {
  expect(compareRecords(record(), record())).toEqual([]);
});

test.each([
  [
    'a device NUMA node',
    (r: ParityRecord) => (r.resources[0].devices[0].numa = null),
    'resources[nvidia.com/gpu].devices[GPU-a].numa',
  ],
  ['an endpoint', (r: ParityRecord) => (r.resources[0].endpoint = 'x.sock'), 'resources[nvidia.com/gpu].endpoint'],
  ['a device missing', (r: ParityRecord) => (r.resources[0].devices = []), 'resources[nvidia.com/gpu].devices[GPU-a]'],
  [
    'an env value',
    (r: ParityRecord) => (r.allocate[0].response = [{ envs: { NVIDIA_VISIBLE_DEVICES: '0' } }]),
    'allocate[0].response[0].envs.NVIDIA_VISIBLE_DEVICES',
  ],
  [
    'an extra field',
    (r: ParityRecord) => (r.allocate[0].response![0].cdi_devices = ['k=v']),
    'allocate[0].response[0].cdi_devices',
  ],
  [
    'a refusal instead of a response',
    (r: ParityRecord) =>
      (r.allocate[0] = { ...r.allocate[0], response: undefined, error: { code: 'UNKNOWN', message: 'no' } }),
    'allocate[0].outcome',
  ],
])('reports %s by its path', (_what, change, path) => {
  const theirs = record();
  change(theirs);
  expect(compareRecords(record(), theirs).map((d) => d.path)).toEqual([path]);
});

test('refuses to compare records of different call lists', () => {
  expect(() => compareRecords(record(), record({ allocate: [] }))).toThrow(/different calls/);
});
