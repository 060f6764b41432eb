/**
 * The fake nodes of the preferred-allocation figures, and the exhaustive optimum the
 * answers are scored against (NVIDIA's pair score: 100 per NVLink plus the PCIe level).
 */
import { pairScore } from '../../plugin/src/allocate/preferred-score';
import type { GpuTopology } from '../../plugin/src/devices/types';
import { defaultSpec, type FakeNvmlSpec } from '../../test/plugin/helpers/fake-nvml';

/** 8 GPUs: DGX-1 hybrid cube mesh over two sockets (the fake's default). */
export function eightGpus(): FakeNvmlSpec {
  return defaultSpec(8);
}

/** 16 GPUs: two DGX-1 meshes, one per socket, no NVLink between them. */
export function sixteenGpus(): FakeNvmlSpec {
  const spec = defaultSpec(16);
  const mesh = defaultSpec(8).nvlinks!;
  spec.nvlinks = spec.gpus.map((_, a) =>
    spec.gpus.map((__, b) => (Math.floor(a / 8) === Math.floor(b / 8) ? mesh[a % 8][b % 8] : 0)),
  );
  return spec;
}

export function topologyOf(spec: FakeNvmlSpec): GpuTopology {
  const n = spec.gpus.length;
  return {
    nvlinks: [...Array(n)].map((_, a) => [...Array(n)].map((__, b) => spec.nvlinks?.[a]?.[b] ?? 0)),
    pcie: [...Array(n)].map((_, a) => [...Array(n)].map((__, b) => (a === b ? 0 : (spec.pcie?.[a]?.[b] ?? 50)))),
  } as GpuTopology;
}

export function setScore(topology: GpuTopology, set: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < set.length; i++)
    for (let j = i + 1; j < set.length; j++) total += pairScore(topology, set[i], set[j]);
  return total;
}

/** Best total pair score of any `size` GPUs out of `n` that contain `must` (plain enumeration). */
export function optimum(topology: GpuTopology, n: number, size: number, must: readonly number[]): number {
  let best = -1;
  const chosen = [...must];
  const walk = (next: number): void => {
    if (chosen.length === size) {
      best = Math.max(best, setScore(topology, chosen));
      return;
    }
    for (let g = next; g < n; g++) {
      if (must.includes(g)) continue;
      chosen.push(g);
      walk(g + 1);
      chosen.pop();
    }
  };
  walk(0);
  return best;
}
