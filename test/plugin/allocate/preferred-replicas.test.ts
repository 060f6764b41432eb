import { replicaAllocation } from '../../../plugin/src/allocate/preferred-replicas.js';
import type { SharedDevicesAllocationPolicy } from '../../../plugin/src/config/types.js';
import { migDevices, replicaId as r, replicated } from './preferred-fixtures.js';

/** 4 GPUs × 4 replicas; `inUse` are held by other containers (absent from available). */
function allocate(
  policy: SharedDevicesAllocationPolicy,
  inUse: string[],
  mustInclude: string[],
  size: number,
): string[] {
  const resource = replicated(4, 4);
  const available = resource.devices.map((d) => d.id).filter((id) => !inUse.includes(id));
  return replicaAllocation(resource, available, mustInclude, size, policy);
}

describe('distributed policy', () => {
  test.each([
    ['a free node gets one replica per GPU', [], [], 4, [r(0, 0), r(1, 0), r(2, 0), r(3, 0)]],
    ['past one per GPU it starts a second round', [], [], 6, [r(0, 0), r(1, 0), r(2, 0), r(3, 0), r(0, 1), r(1, 1)]],
    ['the least used GPUs come first', [r(0, 0), r(0, 1), r(1, 0)], [], 3, [r(2, 0), r(3, 0), r(1, 1)]],
    ['equally used GPUs go in index order', [r(0, 0), r(1, 0), r(2, 0), r(3, 0)], [], 2, [r(0, 1), r(1, 1)]],
    ['a GPU with no free replica is skipped', [r(0, 0), r(0, 1), r(0, 2), r(0, 3)], [], 3, [r(1, 0), r(2, 0), r(3, 0)]],
    ['a must-include replica counts on its GPU', [], [r(3, 2)], 3, [r(3, 2), r(0, 0), r(1, 0)]],
    [
      'on equal use, the GPU picked least in this request wins over a lower index',
      [r(1, 0)],
      [],
      4,
      [r(0, 0), r(2, 0), r(3, 0), r(1, 1)],
    ],
  ])('%s', (_name, inUse, mustInclude, size, expected) => {
    expect(allocate('distributed', inUse, mustInclude, size)).toEqual(expected);
  });

  test('spreads 50 replicas over 16 GPUs evenly', () => {
    const resource = replicated(16, 100);
    const ids = resource.devices.map((d) => d.id);
    const answer = replicaAllocation(resource, ids, [], 50, 'distributed');
    const perGpu = new Map<string, number>();
    for (const id of answer) perGpu.set(id.split('::')[0], (perGpu.get(id.split('::')[0]) ?? 0) + 1);
    expect(perGpu.size).toBe(16);
    expect(Math.max(...perGpu.values()) - Math.min(...perGpu.values())).toBeLessThanOrEqual(1);
  });
});

describe('packed policy', () => {
  test.each([
    ['a free node fills the first GPU', [], [], 3, [r(0, 0), r(0, 1), r(0, 2)]],
    ['a GPU already in use is filled first', [r(2, 0)], [], 2, [r(2, 1), r(2, 2)]],
    ['the busiest GPU wins', [r(1, 0), r(3, 0), r(3, 1)], [], 2, [r(3, 2), r(3, 3)]],
    [
      'when the busiest GPU is full, the next one starts',
      [r(2, 0), r(2, 1), r(2, 2)],
      [],
      3,
      [r(2, 3), r(0, 0), r(0, 1)],
    ],
    ['a must-include replica pulls the rest onto its GPU', [], [r(1, 0)], 3, [r(1, 0), r(1, 1), r(1, 2)]],
  ])('%s', (_name, inUse, mustInclude, size, expected) => {
    expect(allocate('packed', inUse, mustInclude, size)).toEqual(expected);
  });

  test('packs 50 replicas onto one GPU with 100', () => {
    const resource = replicated(16, 100);
    const answer = replicaAllocation(
      resource,
      resource.devices.map((d) => d.id),
      [],
      50,
      'packed',
    );
    expect(new Set(answer.map((id) => id.split('::')[0])).size).toBe(1);
  });
});

describe('both policies', () => {
  test.each<SharedDevicesAllocationPolicy>(['distributed', 'packed'])(
    '%s: the order of available does not change the answer',
    (policy) => {
      const resource = replicated(4, 4);
      const ids = resource.devices.map((d) => d.id);
      const reversed = [...ids].reverse();
      expect(replicaAllocation(resource, reversed, [r(2, 1)], 5, policy)).toEqual(
        replicaAllocation(resource, ids, [r(2, 1)], 5, policy),
      );
    },
  );

  test.each<SharedDevicesAllocationPolicy>(['distributed', 'packed'])(
    '%s: must-include devices come first, in the order given',
    (policy) => {
      const answer = allocate(policy, [], [r(3, 1), r(0, 2)], 3);
      expect(answer.slice(0, 2)).toEqual([r(3, 1), r(0, 2)]);
      expect(answer).toHaveLength(3);
    },
  );

  test('MIG devices are each their own physical device, as in NVIDIA: ties go in resource order', () => {
    const resource = migDevices(2, 2);
    const ids = resource.devices.map((d) => d.id);
    expect(replicaAllocation(resource, ids, [], 2, 'distributed')).toEqual([ids[0], ids[1]]);
    expect(replicaAllocation(resource, ids.slice(1), [], 2, 'packed')).toEqual([ids[1], ids[2]]);
  });
});
