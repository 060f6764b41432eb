/**
 * The size of a ListAndWatchResponse on the wire, so that a configuration whose device list
 * the kubelet would refuse (its gRPC client takes messages up to 4 MiB) fails at start with a
 * message instead of a resource that silently never appears.
 *
 * Protobuf encoding of v1beta1: ListAndWatchResponse { repeated Device devices = 1 },
 * Device { string ID = 1; string health = 2; TopologyInfo topology = 3 },
 * TopologyInfo { repeated NUMANode nodes = 1 }, NUMANode { int64 ID = 1 }.
 */
import type { AdvertisedDevice } from './types.js';

/** The kubelet's default gRPC max receive message size. */
export const KUBELET_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Counted as `Unhealthy`, the longer of the two health values, so the bound holds either way. */
const HEALTH_BYTES = 'Unhealthy'.length;

export function varintLength(n: number): number {
  let len = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) len++;
  return len;
}

/** Tag (1 byte for field numbers below 16) + length + payload. */
const field = (payload: number): number => 1 + varintLength(payload) + payload;

export function deviceMessageBytes(d: Pick<AdvertisedDevice, 'id' | 'numaNode'>): number {
  let device = field(Buffer.byteLength(d.id, 'utf8')) + field(HEALTH_BYTES);
  if (d.numaNode !== undefined) {
    const numaNode = 1 + varintLength(d.numaNode);
    device += field(field(numaNode));
  }
  return field(device);
}

export function listAndWatchBytes(devices: ReadonlyArray<Pick<AdvertisedDevice, 'id' | 'numaNode'>>): number {
  return devices.reduce((sum, d) => sum + deviceMessageBytes(d), 0);
}

/** Bytes of `replicas` entries `<id>::0` … `<id>::<replicas-1>` for one device, without building them. */
export function replicatedBytes(d: Pick<AdvertisedDevice, 'id' | 'numaNode'>, replicas: number): number {
  let total = 0;
  // IDs with the same number of digits have the same size: count them per digit count.
  for (let digits = 1, low = 0; low < replicas; digits++, low = 10 ** (digits - 1)) {
    const count = Math.min(replicas, 10 ** digits) - low;
    total += count * deviceMessageBytes({ id: `${d.id}::${'0'.repeat(digits)}`, numaNode: d.numaNode });
  }
  return total;
}

/** The largest replica count whose list of `devices` still fits in `limit` bytes (0 if none). */
export function maxReplicasWithin(
  devices: ReadonlyArray<Pick<AdvertisedDevice, 'id' | 'numaNode'>>,
  limit = KUBELET_MAX_MESSAGE_BYTES,
): number {
  const bytes = (r: number): number => devices.reduce((sum, d) => sum + replicatedBytes(d, r), 0);
  let lo = 0;
  let hi = 1;
  while (bytes(hi) <= limit) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (bytes(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

const MiB = 1024 * 1024;
const over = (name: string, count: number, bytes: number): string =>
  `${name} would list ${count} devices in one ListAndWatch message of ${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB), ` +
  "over the kubelet's 4 MiB gRPC message limit, so the kubelet would never see them.";

/** Throws when `replicas` of each device would not fit one message, naming the largest count that does. */
export function assertReplicasFit(
  name: string,
  origin: string,
  devices: ReadonlyArray<Pick<AdvertisedDevice, 'id' | 'numaNode'>>,
  replicas: number,
): void {
  const bytes = devices.reduce((sum, d) => sum + replicatedBytes(d, replicas), 0);
  if (bytes <= KUBELET_MAX_MESSAGE_BYTES) return;
  throw new Error(
    `${over(name, devices.length * replicas, bytes)} Lower ${origin}.replicas to at most ${maxReplicasWithin(devices)} ` +
      `(${devices.length} devices × ${replicas} replicas now), or share fewer devices.`,
  );
}

/** Throws when a resource's device list would not fit one message. */
export function assertListFits(name: string, devices: ReadonlyArray<Pick<AdvertisedDevice, 'id' | 'numaNode'>>): void {
  const bytes = listAndWatchBytes(devices);
  if (bytes > KUBELET_MAX_MESSAGE_BYTES)
    throw new Error(`${over(name, devices.length, bytes)} Advertise fewer devices under it.`);
}
