/**
 * Checks an Allocate request against what the resource advertises, the way NVIDIA's
 * ResourceManager.ValidateRequest does, and turns the requested IDs into the physical
 * devices behind them (replica suffixes stripped, duplicates removed, request order kept).
 */
import type { AdvertisedDevice, AdvertisedResource } from '../devices/types.js';
import { RequestError } from './request-error.js';

const REPLICA_SEPARATOR = '::';

/** `GPU-abc::3` → `GPU-abc`; an ID without a replica suffix is returned as is. */
export function stripReplicaSuffix(id: string): string {
  const at = id.indexOf(REPLICA_SEPARATOR);
  return at < 0 ? id : id.slice(0, at);
}

export function hasReplicaSuffix(id: string): boolean {
  return id.includes(REPLICA_SEPARATOR);
}

/** Longest ID quoted in full; real IDs (`MIG-<uuid>::<n>`) are well under it. */
const MAX_ID_SHOWN = 80;

function shortId(id: string): string {
  return id.length > MAX_ID_SHOWN ? `${id.slice(0, MAX_ID_SHOWN)}… (${id.length} characters)` : id;
}

/** Lists at most `max` IDs, each cut short, so a message stays readable for huge requests. */
export function listIds(ids: readonly string[], max = 10): string {
  const shown = ids.slice(0, max).map(shortId).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

/**
 * Returns the advertised devices named by `ids`, one per physical device (GPU or MIG
 * UUID), in the order first requested. Throws RequestError (INVALID_ARGUMENT) naming
 * the offending IDs for an empty request, unknown IDs, or more than one shared replica
 * where the resource refuses that.
 */
export function validateAllocateRequest(resource: AdvertisedResource, ids: readonly string[]): AdvertisedDevice[] {
  if (ids.length === 0) {
    throw new RequestError(
      `Allocate request for ${resource.name} names no device IDs; the kubelet always sends at least one`,
    );
  }
  const byId = new Map(resource.devices.map((d) => [d.id, d]));
  const unknown = [...new Set(ids.filter((id) => !byId.has(id)))];
  if (unknown.length > 0) {
    throw new RequestError(
      `Allocate request for ${resource.name} names unknown device IDs: ${listIds(unknown)}; ` +
        `only the ${resource.devices.length} IDs this plugin advertises in ListAndWatch can be allocated`,
    );
  }
  // NVIDIA always refuses several MPS replicas (MPS splits one GPU evenly), and refuses
  // several time-slicing replicas only when failRequestsGreaterThanOne is set.
  const refuseSeveral = resource.failRequestsGreaterThanOne || resource.sharing === 'mps';
  if (refuseSeveral && ids.length > 1 && ids.some(hasReplicaSuffix)) {
    throw new RequestError(
      `Allocate request for ${ids.length} devices of shared resource ${resource.name} (${listIds(ids)}) is refused: ` +
        'at most 1 shared replica may be requested per container (failRequestsGreaterThanOne); ' +
        'request 1, or turn failRequestsGreaterThanOne off for time-slicing',
    );
  }
  const seen = new Set<string>();
  const devices: AdvertisedDevice[] = [];
  for (const id of ids) {
    const device = byId.get(id)!;
    if (seen.has(device.uuid)) continue;
    seen.add(device.uuid);
    devices.push(device);
  }
  return devices;
}
