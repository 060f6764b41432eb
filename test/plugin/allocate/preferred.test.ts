import { isWholeGpuResource, preferredAllocation } from '../../../plugin/src/allocate/preferred.js';
import type { AdvertisedResource, GpuTopology } from '../../../plugin/src/devices/types.js';
import {
  allSubsetScores,
  dgx1,
  exhaustiveOptimum,
  gpuId,
  indicesOf,
  migDevices,
  nvswitch8,
  pcie2Socket,
  prng,
  randomTopology,
  referenceSetScore,
  replicaId,
  replicated,
  wholeGpus,
} from './preferred-fixtures.js';

const range = (n: number): number[] => [...Array(n).keys()];

/** Whole-GPU request by GPU index; answers GPU indices. */
function pick(topology: GpuTopology, available: number[], mustInclude: number[], size: number, gpus = 16): number[] {
  const resource = wholeGpus(gpus);
  return indicesOf(
    preferredAllocation({
      resource,
      topology,
      available: available.map(gpuId),
      mustInclude: mustInclude.map(gpuId),
      size,
      policy: 'distributed',
    }),
  );
}

describe('whole GPUs on named topologies', () => {
  const all8 = range(8);

  test.each([
    ['a single GPU is the lowest index (no pair to score)', all8, [], 1, [0]],
    ['a pair takes two NVLinks behind one PCIe switch (250)', all8, [], 2, [2, 3]],
    ['three GPUs: the lowest of the 590-point triples', all8, [], 3, [0, 2, 3]],
    ['four GPUs: one quad of the cube, not a cross-socket mix', all8, [], 4, [0, 1, 2, 3]],
    ['eight GPUs: the whole node', all8, [], 8, all8],
    ['a must-include GPU gets its best partner (4-7 on NV2)', all8, [4], 2, [4, 7]],
    ['NVLink beats a shared PCIe switch', [0, 1, 3], [], 2, [0, 3]],
    ['on a busy node, the NVLinked pair among the free GPUs', [1, 3, 4, 6], [], 2, [1, 3]],
  ])('DGX-1 (V100 hybrid cube mesh): %s', (_name, available, mustInclude, size, expected) => {
    expect(pick(dgx1(), available, mustInclude, size)).toEqual(expected);
  });

  test.each([12, 18])('NVSwitch with %i links per pair: PCIe decides, a pair on one switch first', (links) => {
    expect(pick(nvswitch8(links), range(8), [], 2)).toEqual([0, 1]);
    expect(pick(nvswitch8(links), range(8), [], 4)).toEqual([0, 1, 2, 3]);
    expect(pick(nvswitch8(links), [1, 3, 4, 5, 6, 7], [], 2)).toEqual([4, 5]);
    expect(pick(nvswitch8(links), range(8), [6], 2)).toEqual([6, 7]);
  });

  test.each([
    ['a pair shares a switch', range(8), [], 2, [0, 1]],
    ['four stay on one socket, the host-bridge one', range(8), [], 4, [0, 1, 2, 3]],
    ['three stay on one socket even when it is the far one', [1, 2, 4, 5, 6], [], 3, [4, 5, 6]],
    ['a must-include GPU pairs on its own socket', [1, 3, 5, 7], [3], 2, [1, 3]],
  ])('2-socket PCIe node: %s', (_name, available, mustInclude, size, expected) => {
    expect(pick(pcie2Socket(), available, mustInclude, size)).toEqual(expected);
  });

  test.each([
    ['DGX-1', dgx1()],
    ['NVSwitch 18', nvswitch8(18)],
    ['NVSwitch 12', nvswitch8(12)],
    ['2-socket PCIe', pcie2Socket()],
  ])('%s: every size and every single must-include GPU matches the exhaustive optimum', (_name, topology) => {
    const scores = allSubsetScores(topology);
    for (let size = 1; size <= 8; size++) {
      for (const must of [[], ...range(8).map((i) => [i])]) {
        if (must.length > size) continue;
        expect(pick(topology, range(8), must, size)).toEqual(exhaustiveOptimum(scores, range(8), must, size).set);
      }
    }
  });
});

describe('whole GPUs on 60 random 16-GPU topologies against the exhaustive optimum', () => {
  // Seeded, so a failure names a topology that can be rebuilt exactly.
  const cases = range(60).map((seed) => [seed, seed % 3 === 0 ? 'sparse' : 'dense'] as const);

  test.each(cases)('topology %i (%s)', (seed, kind) => {
    const rand = prng(seed + 1);
    const topology = randomTopology(16, rand, kind);
    const scores = allSubsetScores(topology);
    for (let size = 1; size <= 16; size++) {
      // Everything free and nothing required, then a busy node with must-include GPUs.
      const got = pick(topology, range(16), [], size);
      const want = exhaustiveOptimum(scores, range(16), [], size);
      expect(referenceSetScore(topology, got)).toBe(want.score);
      expect(got).toEqual(want.set);

      const free = range(16).filter((i) => rand() < 0.75 || i < size);
      const mustCount = Math.min(size, Math.floor(rand() * 4));
      const must = [...free].sort(() => rand() - 0.5).slice(0, mustCount);
      const busy = pick(topology, free, must, size);
      expect(busy).toEqual(exhaustiveOptimum(scores, free, must, size).set);
      expect(busy).toEqual(expect.arrayContaining(must));
    }
  });
});

describe('whole GPUs: answer shape', () => {
  test('the order of available does not change the answer', () => {
    const t = randomTopology(16, prng(99), 'dense');
    const shuffled = [...range(16)].sort(() => prng(5)() - 0.5).reverse();
    expect(pick(t, shuffled, [9], 5)).toEqual(pick(t, range(16), [9], 5));
  });

  test('IDs come back in GPU index order, not in request order', () => {
    expect(pick(dgx1(), [7, 6, 5, 4], [7], 4)).toEqual([4, 5, 6, 7]);
  });

  test('the policy does not affect whole GPUs', () => {
    const input = {
      resource: wholeGpus(8),
      topology: dgx1(),
      available: range(8).map(gpuId),
      mustInclude: [],
      size: 3,
    };
    expect(preferredAllocation({ ...input, policy: 'packed' })).toEqual(
      preferredAllocation({ ...input, policy: 'distributed' }),
    );
  });

  test('a topology shorter than the GPU list still answers (missing links count as none)', () => {
    const answer = pick({ nvlinks: [], pcie: [] }, range(8), [5], 3);
    expect(answer).toEqual([0, 1, 5]);
  });

  test('inputs are not modified', () => {
    const available = [gpuId(3), gpuId(1), gpuId(2)];
    const mustInclude = [gpuId(2)];
    preferredAllocation({
      resource: wholeGpus(8),
      topology: dgx1(),
      available,
      mustInclude,
      size: 2,
      policy: 'packed',
    });
    expect(available).toEqual([gpuId(3), gpuId(1), gpuId(2)]);
    expect(mustInclude).toEqual([gpuId(2)]);
  });
});

describe('which resources are topology-aware', () => {
  test.each([
    ['whole GPUs are', wholeGpus(2), true],
    ['time-slicing replicas are not', replicated(2, 2), false],
    ['MPS replicas are not', { ...replicated(2, 2), sharing: 'mps' } as AdvertisedResource, false],
    ['MIG devices are not', migDevices(2, 2), false],
  ])('%s', (_name, resource, expected) => {
    expect(isWholeGpuResource(resource)).toBe(expected);
  });
});

describe('invalid requests throw an Error naming the problem', () => {
  const resource = wholeGpus(4);
  const ids = range(4).map(gpuId);
  const base = {
    resource,
    topology: dgx1(),
    available: ids,
    mustInclude: [] as string[],
    size: 2,
    policy: 'distributed' as const,
  };

  test.each([
    ['size 0', { size: 0 }, /size must be a whole number ≥ 1 \(got 0\)/],
    ['negative size', { size: -1 }, /got -1/],
    ['fractional size', { size: 1.5 }, /got 1\.5/],
    ['size above available', { size: 5 }, /size 5 is more than the 4 available devices/],
    [
      'more must-include than size',
      { mustInclude: [ids[0], ids[1], ids[2]] },
      new RegExp(`mustInclude has 3 devices, more than size 2: ${ids[0]}`),
    ],
    [
      'must-include not available',
      { available: ids.slice(1), mustInclude: [ids[0]] },
      new RegExp(`not in available: ${ids[0]}`),
    ],
    [
      'duplicate in available',
      { available: [ids[0], ids[1], ids[0]] },
      new RegExp(`available lists these device IDs more than once: ${ids[0]}$`),
    ],
    [
      'duplicate in must-include',
      { mustInclude: [ids[1], ids[1]] },
      new RegExp(`mustInclude lists these device IDs more than once: ${ids[1]}$`),
    ],
    [
      'unknown ID in available',
      { available: [...ids, 'GPU-nope'] },
      /available has device IDs this resource does not advertise: GPU-nope/,
    ],
    [
      'unknown ID in must-include',
      { mustInclude: ['GPU-gone'] },
      /mustInclude has device IDs this resource does not advertise: GPU-gone/,
    ],
    [
      'a replica ID sent to the whole-GPU resource',
      { available: [`${ids[0]}::0`, ids[1]] },
      /does not advertise: GPU-00000000-.*::0/,
    ],
    [
      'unknown policy',
      { policy: 'spread' },
      /unknown sharedDevicesAllocationPolicy "spread"; use one of distributed, packed/,
    ],
  ])('%s', (_name, override, message) => {
    expect(() => preferredAllocation({ ...base, ...(override as object) } as typeof base)).toThrow(message);
  });

  test('every message names the resource', () => {
    expect(() => preferredAllocation({ ...base, size: 0 })).toThrow(/^preferred allocation for nvidia\.com\/gpu: /);
  });
});

describe('replicas and MIG go to the replica policies', () => {
  test('time-slicing replicas are spread over GPUs by the distributed policy', () => {
    const resource = replicated(2, 3);
    const answer = preferredAllocation({
      resource,
      topology: dgx1(),
      available: resource.devices.map((d) => d.id),
      mustInclude: [],
      size: 2,
      policy: 'distributed',
    });
    expect(answer).toEqual([replicaId(0, 0), replicaId(1, 0)]);
  });

  test('MIG devices are picked without topology, by the policy', () => {
    const resource = migDevices(2, 2);
    const ids = resource.devices.map((d) => d.id);
    const answer = preferredAllocation({
      resource,
      topology: dgx1(),
      available: [ids[3], ids[2], ids[1]],
      mustInclude: [],
      size: 2,
      policy: 'packed',
    });
    expect(answer).toEqual([ids[1], ids[2]]);
  });
});
