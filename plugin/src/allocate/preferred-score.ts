/**
 * Pair scores between GPUs, as NVIDIA's go-gpuallocator computes them
 * (`gpuallocator/besteffort_policy.go:calculateGPUPairScore`).
 *
 * go-gpuallocator stores, for every ordered pair of GPUs, a list of links: one PCIe link
 * (`GetP2PLink`, from nvmlDeviceGetTopologyCommonAncestor) and, when the GPUs share
 * NVLinks, one NVLink entry whose type is the link count (`GetNVLink`). The pair score is
 * the SUM over that list, so NVLink and PCIe add up: two GPUs with 2 NVLinks behind one
 * PCIe switch score 200 + 50 = 250. The NVLink counter stops at `EighteenNVLINKLinks` in
 * current go-gpuallocator (older releases stopped at 12), hence the cap below.
 */
import { PcieLevel, type GpuTopology } from '../devices/types.js';

/** Points per NVLink between two GPUs. */
export const NVLINK_POINTS = 100;
/** go-gpuallocator's NVLink link types end at eighteen links; more are scored as eighteen. */
export const MAX_SCORED_NVLINKS = 18;

/** Points for the PCIe relation of two GPUs: the closer, the higher. Unknown levels score 0. */
export function pcieScore(level: PcieLevel | undefined): number {
  switch (level) {
    case PcieLevel.INTERNAL:
      return 60;
    case PcieLevel.SINGLE:
      return 50;
    case PcieLevel.MULTIPLE:
      return 40;
    case PcieLevel.HOSTBRIDGE:
      return 30;
    case PcieLevel.NODE:
      return 20;
    case PcieLevel.SYSTEM:
      return 10;
    default:
      return 0;
  }
}

/**
 * Score of the pair (a, b) of GPU indices. Entries missing from the matrices (a topology
 * NVML could not read) count as no link, so a short matrix degrades to index order
 * instead of failing the kubelet's request.
 */
export function pairScore(topology: GpuTopology, a: number, b: number): number {
  if (a === b) return 0;
  const links = topology.nvlinks[a]?.[b] ?? 0;
  const nvlink = Math.min(Math.max(links, 0), MAX_SCORED_NVLINKS) * NVLINK_POINTS;
  return nvlink + pcieScore(topology.pcie[a]?.[b]);
}

/**
 * Symmetric n×n pair-score matrix (row-major) for the GPUs `gpuIndices`, in that order.
 * Built per request from the topology read once at start: n ≤ a few dozen, so this costs
 * microseconds and keeps no state between calls.
 */
export function scoreMatrix(topology: GpuTopology, gpuIndices: readonly number[]): Int32Array {
  const n = gpuIndices.length;
  const w = new Int32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // Average the two directions: NVML reports them equal, but a hand-written topology
      // file might not be, and the search needs a symmetric matrix.
      const s = Math.round(
        (pairScore(topology, gpuIndices[i], gpuIndices[j]) + pairScore(topology, gpuIndices[j], gpuIndices[i])) / 2,
      );
      w[i * n + j] = s;
      w[j * n + i] = s;
    }
  }
  return w;
}
