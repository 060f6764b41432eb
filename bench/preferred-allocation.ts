/**
 * How long GetPreferredAllocation takes for whole GPUs, per request, on random 16-GPU
 * topologies (every size 1..16, with and without a must-include GPU), on 8-GPU ones, and
 * on 32-GPU ones (greedy fallback). Prints figures only; nothing here passes or fails on time.
 *
 * Run: npx ts-node --transpile-only -O '{"module":"commonjs","moduleResolution":"node"}' bench/preferred-allocation.ts
 */
import './support/nodenext-resolve';
import { preferredAllocation } from '../plugin/src/allocate/preferred';
import { type AdvertisedResource, type GpuTopology, PcieLevel } from '../plugin/src/devices/types';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEVELS = [
  PcieLevel.INTERNAL,
  PcieLevel.SINGLE,
  PcieLevel.MULTIPLE,
  PcieLevel.HOSTBRIDGE,
  PcieLevel.NODE,
  PcieLevel.SYSTEM,
];

function randomTopology(n: number, rand: () => number): GpuTopology {
  const nvlinks = [...Array(n)].map(() => Array<number>(n).fill(0));
  const pcie = [...Array(n)].map(() => Array<PcieLevel>(n).fill(PcieLevel.INTERNAL));
  const links = [0, 0, 0, 1, 2, 4, 12, 18];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      nvlinks[a][b] = nvlinks[b][a] = links[Math.floor(rand() * links.length)];
      pcie[a][b] = pcie[b][a] = LEVELS[Math.floor(rand() * LEVELS.length)];
    }
  }
  return { nvlinks, pcie };
}

function resource(n: number): AdvertisedResource {
  return {
    name: 'nvidia.com/gpu',
    socketName: 'nvidia-gpu.sock',
    sharing: 'none',
    replicas: 1,
    failRequestsGreaterThanOne: false,
    devices: [...Array(n)].map((_, i) => ({
      id: `GPU-${i}`,
      uuid: `GPU-${i}`,
      index: String(i),
      gpuIndex: i,
      healthy: true,
      minor: i,
    })),
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `n=${s.length} median=${at(0.5).toFixed(3)} ms p99=${at(0.99).toFixed(3)} ms max=${s[s.length - 1].toFixed(3)} ms`;
}

/**
 * Times every request five times: the first run as a caller would see it (with whatever
 * else the machine is doing), and the fastest of the five, which is the algorithm's own
 * cost once noise from other processes and GC is set aside.
 */
function run(n: number, topologies: number, label: string, make: (n: number, rand: () => number) => GpuTopology): void {
  const rand = rng(42);
  const res = resource(n);
  const ids = res.devices.map((d) => d.id);
  const first: number[] = [];
  const best: number[] = [];
  const bestBySize = new Map<number, number[]>();
  for (let t = 0; t < topologies; t++) {
    const topology = make(n, rand);
    for (let size = 1; size <= n; size++) {
      for (const mustInclude of [[], [ids[Math.floor(rand() * n)]]]) {
        let min = Infinity;
        for (let rep = 0; rep < 5; rep++) {
          const start = process.hrtime.bigint();
          preferredAllocation({ resource: res, topology, available: ids, mustInclude, size, policy: 'distributed' });
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          if (rep === 0) first.push(ms);
          min = Math.min(min, ms);
        }
        best.push(min);
        const list = bestBySize.get(size) ?? [];
        list.push(min);
        bestBySize.set(size, list);
      }
    }
  }
  console.log(`${label}`);
  console.log(`  first run of each request: ${stats(first)}`);
  console.log(`  best of 5 (compute cost):  ${stats(best)}`);
  for (const size of [2, 4, 8, 12]) {
    if (bestBySize.has(size)) console.log(`    size ${size}, best of 5: ${stats(bestBySize.get(size) ?? [])}`);
  }
}

/** The bound is loosest when one pair scores far above the rest: one 18-NVLink pair, PCIe elsewhere. */
function oneStrongPair(n: number, rand: () => number): GpuTopology {
  const t = randomTopology(n, rand);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) t.nvlinks[a][b] = 0;
  t.nvlinks[n - 2][n - 1] = t.nvlinks[n - 1][n - 2] = 18;
  return t;
}

// Warm-up so the figures describe a running plugin, not the JIT's first pass.
run(16, 5, 'warm-up (ignored)', randomTopology);
run(8, 200, '8 GPUs, 200 random topologies, sizes 1-8, with and without a must-include GPU', randomTopology);
run(16, 100, '16 GPUs, 100 random topologies, sizes 1-16, with and without a must-include GPU', randomTopology);
run(16, 50, '16 GPUs, 50 topologies with one strong pair (loosest bound)', oneStrongPair);
// Above 16 free GPUs, mid-sized requests use the greedy fallback (no proven optimum).
run(32, 5, '32 GPUs, 5 random topologies, sizes 1-32 (greedy fallback for most sizes)', randomTopology);
