/** In-memory inventories and configs for the resource-building tests. */
import type { PluginConfig, ReplicatedResources } from '../../../plugin/src/config/types';
import type { DeviceInventory, Gpu, MigDevice } from '../../../plugin/src/devices/types';
import { config } from '../allocate/allocate-fixtures';
import { gpuUuid, migUuid } from '../helpers/fake-nvml';

export function gpu(index: number, over: Partial<Gpu> = {}): Gpu {
  return {
    index,
    uuid: gpuUuid(index),
    name: 'NVIDIA A100-SXM4-80GB',
    memoryMiB: 81920,
    minor: index,
    pciBusId: `00000000:${(0x10 + index).toString(16).toUpperCase()}:00.0`,
    numaNode: index < 4 ? 0 : 1,
    computeCapability: { major: 8, minor: 0 },
    migCapable: true,
    migEnabled: false,
    migDevices: [],
    ...over,
  };
}

export function mig(parent: number, migIndex: number, profile: string, over: Partial<MigDevice> = {}): MigDevice {
  return {
    uuid: migUuid(parent, migIndex),
    parentIndex: parent,
    migIndex,
    index: `${parent}:${migIndex}`,
    gpuInstanceId: migIndex + 1,
    computeInstanceId: 0,
    profile,
    memoryMiB: 9856,
    ...over,
  };
}

/** A GPU with MIG on and one MIG device per profile. */
export function migGpu(index: number, profiles: string[]): Gpu {
  return gpu(index, { migEnabled: true, migDevices: profiles.map((p, j) => mig(index, j, p)) });
}

export function inventory(gpus: Gpu[]): DeviceInventory {
  const n = gpus.length;
  return {
    driverVersion: '550.54.15',
    cudaDriverVersion: 12040,
    gpus,
    topology: {
      nvlinks: gpus.map(() => new Array<number>(n).fill(0)),
      pcie: gpus.map(() => new Array<number>(n).fill(50)),
    },
  };
}

export const gpus = (n: number): Gpu[] => Array.from({ length: n }, (_, i) => gpu(i));

export function sharing(
  resources: ReplicatedResources['resources'],
  over: Partial<ReplicatedResources> = {},
): ReplicatedResources {
  return { renameByDefault: false, failRequestsGreaterThanOne: false, resources, ...over };
}

/** The allocate tests' config (the plugin's defaults with an MPS root) with this MIG strategy and sharing. */
export function pluginConfig(
  over: { migStrategy?: PluginConfig['flags']['migStrategy']; sharing?: PluginConfig['sharing'] } = {},
): PluginConfig {
  return { ...config({ flags: { migStrategy: over.migStrategy ?? 'none' } }), sharing: over.sharing ?? {} };
}
