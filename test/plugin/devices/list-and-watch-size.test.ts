import { devicePluginService } from '../../../plugin/src/kubelet/api-proto';
import {
  assertListFits,
  assertReplicasFit,
  deviceMessageBytes,
  listAndWatchBytes,
  maxReplicasWithin,
  replicatedBytes,
  varintLength,
} from '../../../plugin/src/devices/list-and-watch-size';

/** The bytes the plugin's own gRPC serializer writes for a ListAndWatch response. */
function serializedBytes(devices: Array<{ id: string; numaNode?: number }>): number {
  const serialize = devicePluginService().ListAndWatch.responseSerialize;
  const message = {
    devices: devices.map((d) => ({
      ID: d.id,
      health: 'Unhealthy',
      topology: d.numaNode === undefined ? null : { nodes: [{ ID: d.numaNode }] },
    })),
  };
  return serialize(message).length;
}

const uuid = 'GPU-1b2c3d40-5e6f-4a7b-8c9d-e0f1a2b3c4d5';

test.each([
  ['a GPU without NUMA node', [{ id: uuid }]],
  ['a GPU on NUMA node 0', [{ id: uuid, numaNode: 0 }]],
  ['a GPU on NUMA node 200', [{ id: uuid, numaNode: 200 }]],
  ['replicas with growing suffixes', Array.from({ length: 1200 }, (_, n) => ({ id: `${uuid}::${n}`, numaNode: 1 }))],
  ['an ID longer than 127 bytes', [{ id: 'x'.repeat(130), numaNode: 3 }]],
])('matches the real serializer for %s', (_what, devices) => {
  expect(listAndWatchBytes(devices)).toBe(serializedBytes(devices));
});

test('counts one device as the sum of its fields', () => {
  expect(deviceMessageBytes({ id: uuid })).toBe(2 + (2 + 40) + (2 + 9));
});

test.each([
  [0, 1],
  [127, 1],
  [128, 2],
  [16383, 2],
  [16384, 3],
  [4 * 1024 * 1024, 4],
])('varint of %d takes %d bytes', (n, len) => {
  expect(varintLength(n)).toBe(len);
});

const replicas = (id: string, n: number, numaNode?: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${id}::${i}`, numaNode }));

test.each([[1], [9], [10], [11], [100], [1234]])('replicatedBytes for %d replicas equals listing them', (n) => {
  expect(replicatedBytes({ id: uuid, numaNode: 1 }, n)).toBe(listAndWatchBytes(replicas(uuid, n, 1)));
});

test('maxReplicasWithin finds the largest count under the limit', () => {
  const devices = [{ id: uuid }, { id: uuid.replace('1b', '2b') }];
  const limit = 10_000;
  const best = maxReplicasWithin(devices, limit);
  const bytes = (r: number) => devices.reduce((s, d) => s + replicatedBytes(d, r), 0);
  expect([bytes(best) <= limit, bytes(best + 1) > limit]).toEqual([true, true]);
});

test('assertReplicasFit checks ten million replicas without building them', () => {
  const t0 = Date.now();
  expect(() =>
    assertReplicasFit('nvidia.com/gpu', 'sharing.timeSlicing.resources[0]', [{ id: uuid }], 10_000_000),
  ).toThrow(
    /nvidia\.com\/gpu would list 10000000 devices .* \(\d+\.\d MiB\).*at most \d+ \(1 devices × 10000000 replicas now\)/,
  );
  expect(Date.now() - t0).toBeLessThan(500);
});

test('assertListFits accepts 4 MiB and refuses more', () => {
  const fits = replicas(uuid, 50_000);
  expect(() => assertListFits('nvidia.com/gpu', fits)).not.toThrow();
  expect(() => assertListFits('nvidia.com/gpu', replicas(uuid, 80_000))).toThrow(
    /over the kubelet's 4 MiB gRPC message limit, .*Advertise fewer devices under it\./,
  );
});
