/**
 * Time-slicing and MPS replicas (NVIDIA's updateDeviceMapWithReplicas): each shared device
 * becomes `replicas` devices `<uuid>::<n>` under the resource's new name (`rename`, else
 * `<name>.shared` with renameByDefault, else the same name); devices a `devices` list leaves
 * out stay unshared under the original name. NVIDIA's plugin drops `rename` and `devices`; we
 * honour them (its users ask for per-GPU sharing).
 */
import type { MigStrategy, ReplicatedResources, Sharing } from '../config/types.js';
import type { DeviceMap } from './base-resources.js';
import { assertReplicasFit } from './list-and-watch-size.js';
import { qualifyResourceName, SHARED_SUFFIX } from './resource-naming.js';
import type { AdvertisedDevice, SharingStrategy } from './types.js';

export interface ResourceGroup {
  name: string;
  devices: AdvertisedDevice[];
  sharing: SharingStrategy;
  replicas: number;
  failRequestsGreaterThanOne: boolean;
  /** Config field the group comes from, for error messages. */
  origin: string;
}

/** NVIDIA's annotated ID: `<uuid>::<replica>`. */
export const replicaId = (id: string, replica: number): string => `${id}::${replica}`;

interface ActiveSharing {
  strategy: Exclude<SharingStrategy, 'none'>;
  field: string;
  config: ReplicatedResources;
}

function activeSharing(sharing: Sharing, migStrategy: MigStrategy): ActiveSharing | undefined {
  const ts = sharing.timeSlicing?.resources.length ? sharing.timeSlicing : undefined;
  const mps = sharing.mps?.resources.length ? sharing.mps : undefined;
  if (ts && mps) {
    throw new Error(
      'sharing.timeSlicing and sharing.mps are both set; a node shares its GPUs one way. Keep one of them.',
    );
  }
  if (mps && migStrategy === 'mixed') {
    throw new Error(
      "sharing.mps cannot be used with migStrategy=mixed (NVIDIA's plugin refuses it too). Use migStrategy=none or single, or time-slicing.",
    );
  }
  if (mps) return { strategy: 'mps', field: 'sharing.mps', config: mps };
  if (ts) return { strategy: 'time-slicing', field: 'sharing.timeSlicing', config: ts };
  return undefined;
}

/** Resolves one `devices` entry (GPU index, MIG index `g:m`, or UUID) among `devices`. */
function findDevice(
  devices: AdvertisedDevice[],
  ref: string | number,
  where: string,
  resource: string,
): AdvertisedDevice {
  const key = String(ref).trim();
  const found = devices.find((d) => d.index === key || d.uuid === key);
  if (found === undefined) {
    const known = devices.map((d) => d.index).join(', ');
    throw new Error(
      `${where}: no ${resource} device matches '${key}' on this node (its devices: ${known}). Use a GPU index, a MIG index like 0:1, or a UUID.`,
    );
  }
  return found;
}

export function applySharing(map: DeviceMap, sharing: Sharing, migStrategy: MigStrategy): ResourceGroup[] {
  const active = activeSharing(sharing, migStrategy);
  const groups = new Map<string, ResourceGroup>();
  const unshared = (name: string, devices: AdvertisedDevice[]): ResourceGroup => ({
    name,
    devices,
    sharing: 'none',
    replicas: 1,
    failRequestsGreaterThanOne: false,
    origin: 'discovered devices',
  });
  const put = (g: ResourceGroup): void => {
    const clash = groups.get(g.name);
    if (clash !== undefined) {
      throw new Error(
        `${g.origin}: resource name ${g.name} is already used by ${clash.origin}. Give one of them another name (rename).`,
      );
    }
    groups.set(g.name, g);
  };

  const sharedNames = new Set<string>();
  const planned: Array<() => void> = [];
  (active?.config.resources ?? []).forEach((r, i) => {
    const where = `${active!.field}.resources[${i}]`;
    const name = qualifyResourceName(r.name, `${where}.name`);
    if (sharedNames.has(name))
      throw new Error(`${where}: ${name} is listed twice under ${active!.field}.resources; list each resource once.`);
    sharedNames.add(name);
    if (!Number.isInteger(r.replicas) || r.replicas < 1)
      throw new Error(`${where}.replicas must be a whole number ≥ 1 (got ${r.replicas}).`);
    const devices = map.get(name);
    // Like NVIDIA's plugin: a resource this node does not have is not an error (one config
    // often serves node pools with different GPUs).
    if (devices === undefined) return;
    // Device order, not list order: the advertised list is the same however the config is written.
    const picked =
      r.devices === 'all'
        ? undefined
        : new Set(r.devices.map((ref) => findDevice(devices, ref, `${where}.devices`, name)));
    const chosen = picked === undefined ? devices : devices.filter((d) => picked.has(d));
    const rest = devices.filter((d) => !chosen.includes(d));
    const sharedName = r.rename
      ? qualifyResourceName(r.rename, `${where}.rename`)
      : active!.config.renameByDefault
        ? qualifyResourceName(`${name}${SHARED_SUFFIX}`, `${where}.name (with renameByDefault)`)
        : name;
    if (sharedName === name && rest.length > 0) {
      throw new Error(
        `${where}: only some ${name} devices are shared, and shared and unshared devices cannot be one resource. ` +
          'Set rename (or renameByDefault) so the shared ones get their own name, or share all of them.',
      );
    }
    // Checked before the replicas exist: a huge count would otherwise exhaust memory first.
    assertReplicasFit(sharedName, where, chosen, r.replicas);
    planned.push(() => {
      if (rest.length > 0) put({ ...unshared(name, rest), origin: `the devices ${where}.devices leaves unshared` });
      put({
        name: sharedName,
        devices: chosen.flatMap((d) =>
          Array.from({ length: r.replicas }, (_, n) => ({ ...d, id: replicaId(d.id, n), replica: n })),
        ),
        sharing: active!.strategy,
        replicas: r.replicas,
        // NVIDIA ignores the flag for MPS and always refuses more than one replica.
        failRequestsGreaterThanOne: active!.strategy === 'mps' ? true : active!.config.failRequestsGreaterThanOne,
        origin: where,
      });
    });
  });

  for (const [name, devices] of map) if (!sharedNames.has(name)) put(unshared(name, devices));
  planned.forEach((p) => p());
  return [...groups.values()];
}
