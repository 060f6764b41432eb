/**
 * GetPreferredAllocation: which `size` devices of `available` this container should get.
 *
 * - Whole GPUs (no sharing, no MIG): the set with the highest total pair score
 *   (NVLinks, then PCIe proximity and NUMA; see preferred-score.ts), exact for every
 *   request on a node with up to 16 GPUs (preferred-search.ts).
 * - Shared replicas and MIG devices: NVIDIA's distributed or packed greedy pick
 *   (preferred-replicas.ts).
 *
 * The topology is the one discovery read at start; nothing here calls NVML, so an answer
 * takes microseconds to a few milliseconds. Inconsistent inputs throw an Error naming the
 * IDs; the gRPC layer answers those with INVALID_ARGUMENT.
 */
import { ALLOCATION_POLICIES } from '../config/rules.js';
import type { SharedDevicesAllocationPolicy } from '../config/types.js';
import type { AdvertisedDevice, AdvertisedResource, GpuTopology } from '../devices/types.js';
import { replicaAllocation } from './preferred-replicas.js';
import { scoreMatrix } from './preferred-score.js';
import { bestSet } from './preferred-search.js';
import { listIds } from './request-validation.js';

export interface PreferredAllocationInput {
  resource: AdvertisedResource;
  /** GPU topology from discovery, indexed by GPU index. */
  topology: GpuTopology;
  /** Device IDs the kubelet can still hand out (the request's AvailableDeviceIDs). */
  available: string[];
  /** Device IDs the answer must contain (MustIncludeDeviceIDs). */
  mustInclude: string[];
  /** Number of devices to return (AllocationSize). */
  size: number;
  /** flags.plugin.sharedDevicesAllocationPolicy: how replicas and MIG devices are picked. */
  policy: SharedDevicesAllocationPolicy;
}

/**
 * `size` IDs from `available`, containing every ID of `mustInclude`. Whole GPUs come back
 * in GPU index order; replicas as mustInclude followed by the picks in pick order.
 */
export function preferredAllocation(input: PreferredAllocationInput): string[] {
  const byId = validate(input);
  const { resource, topology, available, mustInclude, size, policy } = input;
  if (!isWholeGpuResource(resource)) {
    return replicaAllocation(resource, available, mustInclude, size, policy);
  }
  const devices = available.map((id) => byId.get(id) as AdvertisedDevice);
  devices.sort((a, b) => a.gpuIndex - b.gpuIndex);
  const w = scoreMatrix(
    topology,
    devices.map((d) => d.gpuIndex),
  );
  const position = new Map(devices.map((d, i) => [d.id, i]));
  const required = mustInclude.map((id) => position.get(id) as number);
  const { positions } = bestSet(w, devices.length, required, size);
  return positions.map((p) => devices[p].id);
}

/** Topology-aware placement applies to whole, unshared GPUs only, as in NVIDIA's plugin. */
export function isWholeGpuResource(resource: AdvertisedResource): boolean {
  return resource.sharing === 'none' && resource.devices.every((d) => d.mig === undefined && d.replica === undefined);
}

/** Checks the request against the resource; returns the resource's devices by ID. */
function validate(input: PreferredAllocationInput): Map<string, AdvertisedDevice> {
  const { resource, available, mustInclude, size, policy } = input;
  const name = resource.name;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`preferred allocation for ${name}: size must be a whole number ≥ 1 (got ${size})`);
  }
  if (!ALLOCATION_POLICIES.includes(policy)) {
    throw new Error(
      `preferred allocation for ${name}: unknown sharedDevicesAllocationPolicy ${JSON.stringify(policy)}; ` +
        `use one of ${ALLOCATION_POLICIES.join(', ')}`,
    );
  }
  const byId = new Map(resource.devices.map((d) => [d.id, d]));
  for (const [field, ids] of [
    ['available', available],
    ['mustInclude', mustInclude],
  ] as const) {
    const dupes = duplicates(ids);
    if (dupes.length > 0) {
      throw new Error(
        `preferred allocation for ${name}: ${field} lists these device IDs more than once: ${listIds(dupes)}`,
      );
    }
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      throw new Error(
        `preferred allocation for ${name}: ${field} has device IDs this resource does not advertise: ` +
          `${listIds(unknown)} (is the kubelet talking to the right socket, or did the device list change?)`,
      );
    }
  }
  const free = new Set(available);
  const missing = mustInclude.filter((id) => !free.has(id));
  if (missing.length > 0) {
    throw new Error(`preferred allocation for ${name}: mustInclude devices are not in available: ${listIds(missing)}`);
  }
  if (size > available.length) {
    throw new Error(
      `preferred allocation for ${name}: size ${size} is more than the ${available.length} available devices`,
    );
  }
  if (mustInclude.length > size) {
    throw new Error(
      `preferred allocation for ${name}: mustInclude has ${mustInclude.length} devices, more than size ${size}: ` +
        listIds(mustInclude),
    );
  }
  return byId;
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const id of ids) (seen.has(id) ? dupes : seen).add(id);
  return [...dupes];
}
