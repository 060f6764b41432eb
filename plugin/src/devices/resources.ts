/**
 * From discovered devices and the config to the resources the plugin advertises, each on its
 * own socket: MIG strategy first (base-resources.ts), then sharing (shared-resources.ts),
 * then the checks the kubelet would otherwise fail on silently (name length, 4 MiB message).
 */
import type { PluginConfig } from '../config/types.js';
import { buildDeviceMap } from './base-resources.js';
import { assertListFits } from './list-and-watch-size.js';
import { qualifyResourceName, socketNameFor } from './resource-naming.js';
import { applySharing } from './shared-resources.js';
import type { AdvertisedResource, DeviceInventory } from './types.js';

/**
 * The resources to advertise, in a stable order. Throws an Error that says what to change
 * when the config cannot work on this node.
 */
export function buildResources(config: PluginConfig, inventory: DeviceInventory): AdvertisedResource[] {
  const map = buildDeviceMap(config.flags.migStrategy, inventory);
  return applySharing(map, config.sharing, config.flags.migStrategy).map((group) => {
    qualifyResourceName(group.name, group.origin);
    assertListFits(group.name, group.devices);
    return {
      name: group.name,
      socketName: socketNameFor(group.name),
      devices: group.devices,
      sharing: group.sharing,
      replicas: group.replicas,
      failRequestsGreaterThanOne: group.failRequestsGreaterThanOne,
    };
  });
}
