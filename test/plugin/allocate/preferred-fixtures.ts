/**
 * Topologies, resources and an independent exhaustive optimum for the preferred-allocation
 * tests. The reference below scores pairs with its own table and enumerates every subset
 * by bitmask; it shares no code with plugin/src/allocate so a bug there cannot hide here.
 */
import {
  PcieLevel,
  type AdvertisedDevice,
  type AdvertisedResource,
  type GpuTopology,
} from '../../../plugin/src/devices/types.js';

export const { INTERNAL, SINGLE, MULTIPLE, HOSTBRIDGE, NODE, SYSTEM } = PcieLevel;

/** Deterministic PRNG (mulberry32) so every run sees the same random topologies. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function square<T>(n: number, fill: T): T[][] {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => fill));
}

/** Builds a topology from NVLink pairs [a, b, links] and a PCIe level function. */
export function topology(
  n: number,
  nvlinkPairs: Array<[number, number, number]>,
  pcie: (a: number, b: number) => PcieLevel,
): GpuTopology {
  const nvlinks = square(n, 0);
  for (const [a, b, links] of nvlinkPairs) {
    nvlinks[a][b] = links;
    nvlinks[b][a] = links;
  }
  const levels = square<PcieLevel>(n, INTERNAL);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) levels[a][b] = pcie(a, b);
  return { nvlinks, pcie: levels };
}

/**
 * DGX-1 with V100 (hybrid cube mesh) as `nvidia-smi topo -m` prints it: six NVLinks per
 * GPU, NV1 on 0-1 0-2 1-3 2-6 3-7 4-5 4-6 5-7 and NV2 on 0-3 0-4 1-2 1-5 2-3 4-7 5-6 6-7.
 * PCIe: GPU pairs (0,1) (2,3) (4,5) (6,7) share a switch, 0-3 and 4-7 share a CPU socket.
 */
export function dgx1(): GpuTopology {
  const nv1: Array<[number, number, number]> = [
    [0, 1],
    [0, 2],
    [1, 3],
    [2, 6],
    [3, 7],
    [4, 5],
    [4, 6],
    [5, 7],
  ].map(([a, b]) => [a, b, 1]);
  const nv2: Array<[number, number, number]> = [
    [0, 3],
    [0, 4],
    [1, 2],
    [1, 5],
    [2, 3],
    [4, 7],
    [5, 6],
    [6, 7],
  ].map(([a, b]) => [a, b, 2]);
  return topology(8, [...nv1, ...nv2], (a, b) => {
    if (a >> 1 === b >> 1) return SINGLE;
    return a >> 2 === b >> 2 ? NODE : SYSTEM;
  });
}

/** HGX/DGX board with NVSwitch: every pair has `links` NVLinks (12 on A100, 18 on H100). */
export function nvswitch8(links: number): GpuTopology {
  const pairs: Array<[number, number, number]> = [];
  for (let a = 0; a < 8; a++) for (let b = a + 1; b < 8; b++) pairs.push([a, b, links]);
  return topology(8, pairs, (a, b) => {
    if (a >> 1 === b >> 1) return SINGLE;
    return a >> 2 === b >> 2 ? NODE : SYSTEM;
  });
}

/**
 * Two-socket PCIe server, no NVLink: socket 0 has GPUs 0-3 behind two switches under one
 * host bridge, socket 1 has GPUs 4-7 behind two switches on separate host bridges.
 */
export function pcie2Socket(): GpuTopology {
  return topology(8, [], (a, b) => {
    if (a >> 1 === b >> 1) return SINGLE;
    if (a >> 2 !== b >> 2) return SYSTEM;
    return a < 4 ? HOSTBRIDGE : NODE;
  });
}

/** `count` islands of `size` GPUs, every pair inside an island on `links` NVLinks, islands on SYS. */
export function islands(count: number, size: number, links: number): GpuTopology {
  const pairs: Array<[number, number, number]> = [];
  const n = count * size;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) if (Math.floor(a / size) === Math.floor(b / size)) pairs.push([a, b, links]);
  }
  return topology(n, pairs, (a, b) => (Math.floor(a / size) === Math.floor(b / size) ? NODE : SYSTEM));
}

const LEVELS = [INTERNAL, SINGLE, MULTIPLE, HOSTBRIDGE, NODE, SYSTEM];

/**
 * A random n-GPU topology. 'sparse': mostly no NVLink, few distinct scores (many ties);
 * 'dense': NVLink counts from 0 to 20 (above the 18-link cap) on most pairs.
 */
export function randomTopology(n: number, rand: () => number, kind: 'sparse' | 'dense'): GpuTopology {
  const pairs: Array<[number, number, number]> = [];
  const choices = kind === 'sparse' ? [0, 0, 0, 0, 0, 1, 2] : [0, 1, 2, 3, 4, 6, 8, 12, 18, 20];
  const levelOf = square<PcieLevel>(n, INTERNAL);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      pairs.push([a, b, choices[Math.floor(rand() * choices.length)]]);
      const level = kind === 'sparse' ? (rand() < 0.5 ? NODE : SYSTEM) : LEVELS[Math.floor(rand() * LEVELS.length)];
      levelOf[a][b] = level;
      levelOf[b][a] = level;
    }
  }
  return topology(n, pairs, (a, b) => levelOf[a][b]);
}

export const gpuId = (i: number): string => `GPU-${i.toString(16).padStart(8, '0')}-aaaa-bbbb-cccc-0123456789ab`;

function device(gpuIndex: number, extra: Partial<AdvertisedDevice> = {}): AdvertisedDevice {
  return {
    id: gpuId(gpuIndex),
    uuid: gpuId(gpuIndex),
    index: String(gpuIndex),
    gpuIndex,
    numaNode: gpuIndex < 4 ? 0 : 1,
    healthy: true,
    minor: gpuIndex,
    ...extra,
  };
}

/** `nvidia.com/gpu` with one whole GPU per device. */
export function wholeGpus(n: number): AdvertisedResource {
  return {
    name: 'nvidia.com/gpu',
    socketName: 'nvidia-gpu.sock',
    devices: Array.from({ length: n }, (_, i) => device(i)),
    sharing: 'none',
    replicas: 1,
    failRequestsGreaterThanOne: false,
  };
}

/** Replica IDs `<uuid>::<n>` as NVIDIA names them. */
export const replicaId = (gpuIndex: number, replica: number): string => `${gpuId(gpuIndex)}::${replica}`;

/** `nvidia.com/gpu.shared` with `replicas` time-slicing replicas on each of `gpus` GPUs. */
export function replicated(gpus: number, replicas: number): AdvertisedResource {
  const devices: AdvertisedDevice[] = [];
  for (let g = 0; g < gpus; g++) {
    for (let r = 0; r < replicas; r++) devices.push(device(g, { id: replicaId(g, r), replica: r }));
  }
  return {
    name: 'nvidia.com/gpu.shared',
    socketName: 'nvidia-gpu.shared.sock',
    devices,
    sharing: 'time-slicing',
    replicas,
    failRequestsGreaterThanOne: false,
  };
}

/** `nvidia.com/mig-1g.10gb` with `perGpu` MIG devices on each of `gpus` GPUs. */
export function migDevices(gpus: number, perGpu: number): AdvertisedResource {
  const devices: AdvertisedDevice[] = [];
  for (let g = 0; g < gpus; g++) {
    for (let m = 0; m < perGpu; m++) {
      const uuid = `MIG-${g}${m}000000-aaaa-bbbb-cccc-0123456789ab`;
      const mig = {
        uuid,
        parentIndex: g,
        migIndex: m,
        index: `${g}:${m}`,
        gpuInstanceId: m + 7,
        computeInstanceId: 0,
        profile: '1g.10gb',
        memoryMiB: 9856,
      };
      devices.push(device(g, { id: uuid, uuid, index: `${g}:${m}`, mig }));
    }
  }
  return { ...wholeGpus(0), name: 'nvidia.com/mig-1g.10gb', socketName: 'nvidia-mig-1g.10gb.sock', devices };
}

// ---- the independent reference ----

const REFERENCE_PCIE_POINTS: Record<number, number> = { 0: 60, 10: 50, 20: 40, 30: 30, 40: 20, 50: 10 };

/** go-gpuallocator's pair score: 100 per NVLink (at most 18 counted) plus the PCIe points. */
export function referencePairScore(t: GpuTopology, a: number, b: number): number {
  return 100 * Math.min(t.nvlinks[a][b], 18) + REFERENCE_PCIE_POINTS[t.pcie[a][b]];
}

export function referenceSetScore(t: GpuTopology, set: readonly number[]): number {
  let s = 0;
  for (const a of set) for (const b of set) if (a < b) s += referencePairScore(t, a, b);
  return s;
}

/** Score of every subset of the n GPUs, by bitmask. */
export function allSubsetScores(t: GpuTopology): Float64Array {
  const n = t.nvlinks.length;
  const pair = t.nvlinks.map((row, a) => row.map((_, b) => (a === b ? 0 : referencePairScore(t, a, b))));
  const scores = new Float64Array(1 << n);
  // A set's score is the score without its lowest GPU plus that GPU's pairs with the rest.
  for (let mask = 1; mask < 1 << n; mask++) {
    const low = 31 - Math.clz32(mask & -mask);
    const rest = mask & (mask - 1);
    let s = scores[rest];
    for (let j = 0; j < n; j++) if ((rest >> j) & 1) s += pair[low][j];
    scores[mask] = s;
  }
  return scores;
}

const popcount = (m: number): number => {
  let c = 0;
  for (let x = m; x !== 0; x &= x - 1) c++;
  return c;
};

/**
 * Every size-`size` subset of `available` that contains `mustInclude`, checked one by one:
 * the best score, and among the sets with it the one with the lowest GPU indices.
 */
export function exhaustiveOptimum(
  scores: Float64Array,
  available: readonly number[],
  mustInclude: readonly number[],
  size: number,
): { score: number; set: number[] } {
  const availMask = available.reduce((m, i) => m | (1 << i), 0);
  const mustMask = mustInclude.reduce((m, i) => m | (1 << i), 0);
  let best = -1;
  let bestScore = -1;
  for (let mask = 0; mask < scores.length; mask++) {
    if ((mask & availMask) !== mask || (mask & mustMask) !== mustMask || popcount(mask) !== size) continue;
    const s = scores[mask];
    // Same size, so the lexicographically smaller sorted list owns the lowest differing bit.
    const diff = mask ^ best;
    if (s > bestScore || (s === bestScore && (mask & diff & -diff) !== 0)) {
      best = mask;
      bestScore = s;
    }
  }
  const set: number[] = [];
  for (let i = 0; i < 31; i++) if ((best >> i) & 1) set.push(i);
  return { score: bestScore, set };
}

/** Indices of GPUs in a list of whole-GPU IDs. */
export const indicesOf = (ids: readonly string[]): number[] => ids.map((id) => parseInt(id.slice(4, 12), 16));
