/**
 * Plain-data fixtures for the allocate tests: a complete PluginConfig with NVIDIA's
 * defaults and small resources (whole GPUs, replicas, MIG devices).
 */
import { loadConfig } from '../../../plugin/src/config/load';
import type { PluginConfig } from '../../../plugin/src/config/types';
import type { AdvertisedDevice, AdvertisedResource, DeviceInventory, Gpu } from '../../../plugin/src/devices/types';

export const UUIDS = [
  'GPU-11111111-1111-1111-1111-111111111111',
  'GPU-22222222-2222-2222-2222-222222222222',
  'GPU-33333333-3333-3333-3333-333333333333',
];
export const MIG_UUID = 'MIG-44444444-4444-4444-4444-444444444444';

export type ConfigPatch = {
  flags?: Partial<Omit<PluginConfig['flags'], 'plugin'>> & { plugin?: Partial<PluginConfig['flags']['plugin']> };
  imex?: Partial<PluginConfig['imex']>;
};

/**
 * The plugin's own defaults (what loadConfig gives with no flags, env or file, which
 * load.test.ts pins to NVIDIA's) with an MPS root, so MPS sharing is allowed, and `patch`
 * on top.
 */
export function config(patch: ConfigPatch = {}): PluginConfig {
  const defaults = loadConfig({ argv: [], env: {} });
  return {
    ...defaults,
    flags: {
      ...defaults.flags,
      mpsRoot: '/run/nvidia/mps',
      ...patch.flags,
      plugin: { ...defaults.flags.plugin, ...patch.flags?.plugin },
    },
    imex: { ...defaults.imex, ...patch.imex },
  };
}

function gpuDevice(index: number, replica?: number): AdvertisedDevice {
  return {
    id: replica === undefined ? UUIDS[index] : `${UUIDS[index]}::${replica}`,
    uuid: UUIDS[index],
    index: String(index),
    gpuIndex: index,
    replica,
    numaNode: index === 2 ? undefined : index,
    healthy: true,
    minor: index + 4,
  };
}

/** Three whole GPUs (minors 4, 5, 6; the third without a NUMA node). */
export function gpuResource(): AdvertisedResource {
  return {
    name: 'nvidia.com/gpu',
    socketName: 'nvidia-gpu.sock',
    devices: [0, 1, 2].map((i) => gpuDevice(i)),
    sharing: 'none',
    replicas: 1,
    failRequestsGreaterThanOne: false,
  };
}

/** Two GPUs with 2 replicas each. */
export function sharedResource(
  sharing: 'time-slicing' | 'mps',
  failRequestsGreaterThanOne: boolean,
): AdvertisedResource {
  return {
    name: 'nvidia.com/gpu.shared',
    socketName: 'nvidia-gpu.shared.sock',
    devices: [0, 1].flatMap((i) => [gpuDevice(i, 0), gpuDevice(i, 1)]),
    sharing,
    replicas: 2,
    failRequestsGreaterThanOne,
  };
}

/** One MIG device on GPU 1 (minor 5), capability minors 30 and 31. */
export function migResource(): AdvertisedResource {
  const device: AdvertisedDevice = {
    id: MIG_UUID,
    uuid: MIG_UUID,
    index: '1:0',
    gpuIndex: 1,
    numaNode: 1,
    healthy: true,
    minor: 5,
    mig: {
      uuid: MIG_UUID,
      parentIndex: 1,
      migIndex: 0,
      index: '1:0',
      gpuInstanceId: 7,
      computeInstanceId: 0,
      profile: '1g.10gb',
      memoryMiB: 9856,
      gpuInstanceCapMinor: 30,
      computeInstanceCapMinor: 31,
    },
  };
  return {
    name: 'nvidia.com/mig-1g.10gb',
    socketName: 'nvidia-mig-1g.10gb.sock',
    devices: [device],
    sharing: 'none',
    replicas: 1,
    failRequestsGreaterThanOne: false,
  };
}

export function inventory(): DeviceInventory {
  const gpus: Gpu[] = UUIDS.map((uuid, index) => ({
    index,
    uuid,
    name: 'NVIDIA A100-SXM4-80GB',
    memoryMiB: 81920,
    minor: index + 4,
    pciBusId: `00000000:0${index}:00.0`,
    numaNode: index === 2 ? undefined : index,
    computeCapability: { major: 8, minor: 0 },
    migCapable: true,
    migEnabled: index === 1,
    migDevices: [],
  }));
  return {
    driverVersion: '550.54.15',
    cudaDriverVersion: 12040,
    gpus,
    topology: {
      nvlinks: [
        [0, 12, 0],
        [12, 0, 0],
        [0, 0, 0],
      ],
      pcie: [
        [0, 10, 50],
        [10, 0, 50],
        [50, 50, 0],
      ],
    },
  };
}
