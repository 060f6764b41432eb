/**
 * Which physical devices go under which resource name, per MIG strategy, as NVIDIA's plugin
 * decides it (internal/rm/device_map.go):
 *   none   every GPU is `nvidia.com/gpu`, MIG or not;
 *   single every GPU must have MIG on with one profile everywhere (or every GPU MIG off), and
 *          MIG devices are `nvidia.com/gpu`;
 *   mixed  GPUs without MIG are `nvidia.com/gpu`, MIG devices `nvidia.com/mig-<profile>`.
 * Errors say which GPU or MIG device is in the way and how to fix it.
 */
import type { MigStrategy } from '../config/types.js';
import { migResourceName, parseMigProfile } from './mig-profile.js';
import { GPU_RESOURCE } from './resource-naming.js';
import type { AdvertisedDevice, DeviceInventory, Gpu, MigDevice } from './types.js';

/** Resource name → its devices, in GPU then MIG index order. */
export type DeviceMap = Map<string, AdvertisedDevice[]>;

export function gpuDevice(gpu: Gpu): AdvertisedDevice {
  const d: AdvertisedDevice = {
    id: gpu.uuid,
    uuid: gpu.uuid,
    index: String(gpu.index),
    gpuIndex: gpu.index,
    healthy: true,
    minor: gpu.minor,
  };
  if (gpu.numaNode !== undefined) d.numaNode = gpu.numaNode;
  return d;
}

export function migDevice(gpu: Gpu, mig: MigDevice): AdvertisedDevice {
  return { ...gpuDevice(gpu), id: mig.uuid, uuid: mig.uuid, index: mig.index, mig };
}

function add(map: DeviceMap, name: string, device: AdvertisedDevice): void {
  const list = map.get(name);
  if (list) list.push(device);
  else map.set(name, [device]);
}

const list = (items: Array<string | number>): string => items.join(', ');

export function buildDeviceMap(strategy: MigStrategy, inventory: DeviceInventory): DeviceMap {
  const map: DeviceMap = new Map();
  if (strategy === 'none') {
    for (const gpu of inventory.gpus) add(map, GPU_RESOURCE, gpuDevice(gpu));
    return map;
  }
  assertMigDevicesExist(inventory.gpus);
  if (strategy === 'single') assertUniform(inventory.gpus);
  for (const gpu of inventory.gpus) {
    if (!gpu.migEnabled) {
      add(map, GPU_RESOURCE, gpuDevice(gpu));
      continue;
    }
    for (const mig of gpu.migDevices)
      add(map, strategy === 'single' ? GPU_RESOURCE : mixedResourceName(mig), migDevice(gpu, mig));
  }
  return map;
}

function assertMigDevicesExist(gpus: Gpu[]): void {
  const empty = gpus.filter((g) => g.migEnabled && g.migDevices.length === 0);
  if (empty.length === 0) return;
  throw new Error(
    `MIG is enabled on GPU ${list(empty.map((g) => `${g.index} (${g.uuid})`))} but it has no MIG devices, so it has nothing to advertise. ` +
      `Create MIG devices on it (nvidia-smi mig -i <gpu> -cgi <profiles> -C) or disable MIG (nvidia-smi -i <gpu> -mig 0).`,
  );
}

function assertUniform(gpus: Gpu[]): void {
  const on = gpus.filter((g) => g.migEnabled).map((g) => g.index);
  const off = gpus.filter((g) => !g.migEnabled).map((g) => g.index);
  if (on.length > 0 && off.length > 0) {
    throw new Error(
      `migStrategy=single needs every GPU configured the same way, but MIG is enabled on GPU ${list(on)} and disabled on GPU ${list(off)}. ` +
        'Enable MIG on all GPUs or on none, or use migStrategy=mixed.',
    );
  }
  const byProfile = new Map<string, string[]>();
  for (const gpu of gpus)
    for (const m of gpu.migDevices) byProfile.set(m.profile, [...(byProfile.get(m.profile) ?? []), m.index]);
  if (byProfile.size > 1) {
    const found = [...byProfile].map(([profile, where]) => `${profile} (MIG ${list(where)})`).join('; ');
    throw new Error(
      `migStrategy=single needs one MIG profile on the whole node, but found ${found}. ` +
        'Use the same profile on every GPU, or use migStrategy=mixed to advertise one resource per profile.',
    );
  }
}

/**
 * NVIDIA's mixed strategy only defines resources for profiles whose compute instance spans
 * its GPU instance (C == G); any other MIG device stops the plugin with an error.
 */
function mixedResourceName(mig: MigDevice): string {
  const profile = parseMigProfile(mig.profile);
  if (profile === undefined || profile.c !== profile.g) {
    throw new Error(
      `MIG device ${mig.index} (${mig.uuid}) has profile ${mig.profile}: its compute instance covers only part of its GPU instance, ` +
        "and migStrategy=mixed advertises only whole-GPU-instance profiles, as NVIDIA's plugin does. " +
        'Recreate it with one compute instance spanning the GPU instance (nvidia-smi mig -cci without a profile), or use migStrategy=single.',
    );
  }
  return migResourceName(mig.profile);
}
