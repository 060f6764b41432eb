/**
 * Preferred allocation for shared replicas (time-slicing, MPS) and MIG devices: NVIDIA's
 * greedy pick (k8s-device-plugin `internal/rm/allocate.go`), with its ties made
 * deterministic.
 *
 * Devices are grouped by the physical device behind them (`AdvertisedDevice.uuid`: the
 * GPU, or the MIG device, whose replicas they are). A group's "allocated" count is how
 * many of its devices are not free candidates: those missing from `available` (held by
 * other containers) plus the must-include ones (held by this request). Each step takes
 * one replica from the best group:
 * - `distributed` (default): fewest allocated first, so load spreads over physical GPUs;
 * - `packed`: most allocated first, so load piles onto the fewest GPUs.
 * Ties go to the group picked least in this request (must-include devices count as
 * picked), then to the group that comes first in the resource's device list (GPU index
 * order). Inside a group the lowest replica number is taken. NVIDIA breaks the last tie
 * by map and heap order, which varies between calls; we do not.
 */
import type { AdvertisedDevice, AdvertisedResource } from '../devices/types.js';
import type { SharedDevicesAllocationPolicy } from '../config/types.js';

interface Group {
  /** Position of the group's first device in the resource list (the final tie-break). */
  rank: number;
  total: number;
  /** Free candidates of this group, in resource order; consumed from the front. */
  free: string[];
  /** Devices picked from this group in this request, must-include ones included. */
  picked: number;
}

type Prefer = (a: Group, b: Group) => number;

const allocated = (g: Group): number => g.total - g.free.length;

const comparators: Record<SharedDevicesAllocationPolicy, Prefer> = {
  distributed: (a, b) => allocated(a) - allocated(b) || a.picked - b.picked || a.rank - b.rank,
  packed: (a, b) => allocated(b) - allocated(a) || a.picked - b.picked || a.rank - b.rank,
};

/**
 * `mustInclude` followed by `size - mustInclude.length` devices from `available`, chosen by
 * `policy`. Inputs are assumed validated (see preferred.ts).
 */
export function replicaAllocation(
  resource: AdvertisedResource,
  available: readonly string[],
  mustInclude: readonly string[],
  size: number,
  policy: SharedDevicesAllocationPolicy,
): string[] {
  const prefer = comparators[policy];
  const position = new Map<string, number>();
  const groups = new Map<string, Group>();
  const groupOf = new Map<string, Group>();
  resource.devices.forEach((d: AdvertisedDevice, i) => {
    position.set(d.id, i);
    let g = groups.get(d.uuid);
    if (g === undefined) {
      g = { rank: i, total: 0, free: [], picked: 0 };
      groups.set(d.uuid, g);
    }
    g.total++;
    groupOf.set(d.id, g);
  });

  const required = new Set(mustInclude);
  const candidates = available.filter((id) => !required.has(id));
  candidates.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  for (const id of candidates) groupOf.get(id)?.free.push(id);
  for (const id of mustInclude) {
    const g = groupOf.get(id);
    if (g !== undefined) g.picked++;
  }

  const open = [...groups.values()].filter((g) => g.free.length > 0);
  const picks: string[] = [];
  for (let need = size - mustInclude.length; need > 0; need--) {
    let best = 0;
    for (let i = 1; i < open.length; i++) if (prefer(open[i], open[best]) < 0) best = i;
    const g = open[best];
    picks.push(g.free.shift() as string);
    g.picked++;
    if (g.free.length === 0) open.splice(best, 1);
  }
  return [...mustInclude, ...picks];
}
