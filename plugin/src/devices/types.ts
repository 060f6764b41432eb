/**
 * What device discovery (NVML) hands to the rest of the plugin. Owned by devices/.
 * Plain data: no NVML handles leak past devices/.
 */

import type { DeviceAttributes } from './nvml.js';
import type { HealthEvent } from '../health/health-event.js';

export type { HealthEvent };

export interface ComputeCapability {
  major: number;
  minor: number;
}

export interface MigDevice {
  /** `MIG-…` UUID from NVML. */
  uuid: string;
  /** Index of the parent GPU. */
  parentIndex: number;
  /** Position of this MIG device under its parent (0-based, NVML order). */
  migIndex: number;
  /** NVIDIA's index form `<gpu>:<mig>`, used with deviceIDStrategy=index. */
  index: string;
  gpuInstanceId: number;
  computeInstanceId: number;
  /** Profile in NVIDIA's naming, e.g. `1g.10gb`, `1c.2g.20gb`, `1g.10gb+me`. */
  profile: string;
  memoryMiB: number;
  /** Minor numbers of the GI/CI capability device nodes, when known (for passDeviceSpecs). */
  gpuInstanceCapMinor?: number;
  computeInstanceCapMinor?: number;
  /** NVML's nvmlDeviceGetAttributes of the MIG device, when read (GFD's MIG labels). */
  attributes?: MigAttributes;
}

/** The MIG device attributes GPU Feature Discovery labels: NVML's nvmlDeviceAttributes_t, as the binding reads it. */
export type MigAttributes = DeviceAttributes;

export interface Gpu {
  /** NVML index. */
  index: number;
  /** `GPU-…` UUID. */
  uuid: string;
  /** Product name, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  memoryMiB: number;
  /** Minor number: the N in /dev/nvidiaN. */
  minor: number;
  /** PCI bus id as NVML prints it: `00000000:07:00.0`. */
  pciBusId: string;
  /** NUMA node of the GPU, or undefined when the kernel reports none (-1). */
  numaNode?: number;
  computeCapability: ComputeCapability;
  migCapable: boolean;
  /** Current MIG mode is enabled. */
  migEnabled: boolean;
  migDevices: MigDevice[];
}

/**
 * PCIe relation between two GPUs, NVIDIA's `nvmlGpuTopologyLevel_t` order.
 * Scores follow go-gpuallocator: the closer, the higher.
 */
export enum PcieLevel {
  INTERNAL = 0, // same board (multi-GPU board)
  SINGLE = 10, // one PCIe switch
  MULTIPLE = 20, // several switches, no host bridge
  HOSTBRIDGE = 30, // same host bridge
  NODE = 40, // same NUMA node, across host bridges
  SYSTEM = 50, // across the SMP interconnect (other CPU socket)
}

export interface GpuTopology {
  /** nvlinks[i][j]: number of NVLinks between GPU i and GPU j (symmetric, 0 on the diagonal). */
  nvlinks: number[][];
  /** pcie[i][j]: PCIe level between GPU i and GPU j. */
  pcie: PcieLevel[][];
}

export interface DeviceInventory {
  driverVersion: string;
  /** CUDA driver version as NVML reports it, e.g. 12040. */
  cudaDriverVersion: number;
  gpus: Gpu[];
  /**
   * GPU-to-GPU topology, for GetPreferredAllocation. NVML discovery defers reading it: the
   * first read of this field reads whatever readTopology() has not read yet.
   */
  topology: GpuTopology;
  /**
   * Present when the topology is not read yet: reads it in steps, yielding to other callbacks
   * between them (the runtime calls it once the plugin has registered). Stops when aborted.
   */
  readTopology?: (signal?: AbortSignal) => Promise<void>;
}

/**
 * The seam between the plugin and NVML. Real implementation: devices/nvml-device-source.ts
 * (koffi). Tests can use the fake libnvidia-ml.so.1 (test/fixtures/fake-nvml) through the
 * real implementation, or an in-memory fake.
 */
export interface DeviceSource {
  /** Initialise NVML and read every GPU, MIG device and the topology once. */
  discover(): DeviceInventory;
  /**
   * Watch critical XIDs until `signal` aborts, calling `onEvent` for each change.
   * Resolves when stopped.
   */
  watchHealth(inventory: DeviceInventory, signal: AbortSignal, onEvent: (e: HealthEvent) => void): Promise<void>;
  /** Release NVML. */
  close(): void;
}

/** One device as the kubelet sees it (one entry in ListAndWatch). */
export interface AdvertisedDevice {
  /** ID sent to the kubelet: a UUID, a MIG UUID, or `<uuid>::<n>` for replicas. */
  id: string;
  /** The physical device behind it: GPU or MIG UUID. */
  uuid: string;
  /** NVIDIA index form: `3` for a GPU, `3:1` for a MIG device. */
  index: string;
  /** GPU index of the (parent) GPU: what topology matrices are indexed by. */
  gpuIndex: number;
  /** Replica number when shared, else undefined. */
  replica?: number;
  numaNode?: number;
  healthy: boolean;
  /** /dev/nvidiaN minor of the (parent) GPU, for passDeviceSpecs. */
  minor: number;
  /** For MIG devices: capability minors for the device specs. */
  mig?: MigDevice;
}

export type SharingStrategy = 'none' | 'time-slicing' | 'mps';

/** A resource the plugin advertises on its own socket. */
export interface AdvertisedResource {
  /** Full resource name, e.g. `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `nvidia.com/gpu.shared`. */
  name: string;
  /** Socket file name in the device-plugins directory, e.g. `nvidia-gpu.sock`. */
  socketName: string;
  devices: AdvertisedDevice[];
  sharing: SharingStrategy;
  /** Replicas per device when shared (1 otherwise). */
  replicas: number;
  /** Refuse requests for more than one replica (sharing only). */
  failRequestsGreaterThanOne: boolean;
}
