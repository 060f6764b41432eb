/**
 * The plugin's effective configuration: NVIDIA's `version: v1` config file model
 * (api/config/v1 in NVIDIA/k8s-device-plugin), after flags > env > file > defaults
 * have been merged. Field names follow the YAML file so a loaded file maps 1:1.
 *
 * Shared by config loading (config/), resource building (devices/resources.ts) and
 * Allocate (allocate/). Owned by config/: change it there, with its schema.
 */

import type { FileSection } from './options.js';
import type {
  DeviceIdStrategy,
  DeviceListStrategy,
  LogLevel,
  MigStrategy,
  SharedDevicesAllocationPolicy,
} from './rules.js';

// The enum types are derived from their value lists in rules.ts; re-exported for the
// modules that read the config.
export type { DeviceIdStrategy, DeviceListStrategy, MigStrategy, SharedDevicesAllocationPolicy };

// The sections that mirror the file (flags, flags.plugin, imex) are derived from the option
// table (options.ts FileSection): an option with a filePath is in them without another line here.

/** `flags.plugin.*` of the file. */
export type PluginFlags = FileSection<'flags.plugin.'>;

/** `flags.*` of the file; `nvidiaDevRoot` defaults to nvidiaDriverRoot. */
export type Flags = Omit<FileSection<'flags.'>, 'nvidiaDevRoot'> & { nvidiaDevRoot: string; plugin: PluginFlags };

export interface ReplicatedResource {
  /** Resource to share, e.g. `nvidia.com/gpu` or `nvidia.com/mig-1g.10gb`. */
  name: string;
  /** Advertised name instead of the default (`<name>` or `<name>.shared`). */
  rename?: string;
  /**
   * Which GPUs of this resource get replicas: 'all' or a list of GPU indices,
   * UUIDs or MIG indices ("0:1"). NVIDIA's plugin strips this field; we honour it.
   */
  devices: 'all' | Array<string | number>;
  replicas: number;
}

export interface ReplicatedResources {
  renameByDefault: boolean;
  failRequestsGreaterThanOne: boolean;
  resources: ReplicatedResource[];
}

export interface Sharing {
  timeSlicing?: ReplicatedResources;
  mps?: ReplicatedResources;
}

/** `imex.*` of the file. */
export type Imex = FileSection<'imex.'>;

/** What the plugin runs with. Produced by config/load.ts. */
export interface PluginConfig {
  version: 'v1';
  flags: Flags;
  sharing: Sharing;
  imex: Imex;
  /** Health checks, from DP_DISABLE_HEALTHCHECKS / DP_ENABLE_HEALTHCHECKS and our own options. */
  health: HealthConfig;
  /** Options of this implementation only (not in NVIDIA's file format; set by flags or env). */
  runtime: RuntimeOptions;
}

export interface HealthConfig {
  /** All health checking off (`DP_DISABLE_HEALTHCHECKS=all|xids`). */
  disabled: boolean;
  /** XIDs that never mark a device unhealthy. Default DEFAULT_SKIP_XIDS (constants.ts). */
  skipXids: number[];
  /** XIDs always treated as critical, overriding skipXids (`DP_ENABLE_HEALTHCHECKS`). */
  enableXids: number[];
  /**
   * A device marked unhealthy by a recoverable XID returns to Healthy after it stays
   * quiet this long (ms). 0 disables recovery (NVIDIA's behaviour). XID 79 never recovers.
   */
  recoveryMs: number;
  /**
   * Interval of the lost-GPU check (ms): a GPU that NVML answers GPU_IS_LOST for is marked
   * Unhealthy for good within about this long. 0 or absent = off (NVIDIA has no such check).
   */
  lostCheckMs?: number;
}

export interface RuntimeOptions {
  /** Directory of kubelet.sock and the plugin sockets. */
  devicePluginPath: string;
  /** Name of the kubelet socket inside devicePluginPath. */
  kubeletSocket: string;
  /** Path of libnvidia-ml.so.1 (absolute), or a bare soname resolved under the container driver root, then nvidiaDriverRoot (cli.ts nvmlLibraryPath). */
  nvmlLibrary: string;
  /** Config file the values were read from, if any (reloaded on SIGHUP). */
  configFile?: string;
  /** Named configs selected by a node label (--config-dir); configFile is then the selected one. */
  configManager?: ConfigManagerOptions;
  /** Port of /healthz, /readyz and /metrics (0 = disabled). */
  metricsPort: number;
  metricsBindAddress: string;
  logLevel: LogLevel;
  /** Directory of the CDI spec written under the CDI strategies (default /var/run/cdi). */
  cdiRoot: string;
  /** Hook names left out of the CDI spec; `all` leaves out every hook. */
  cdiDisableHooks: string[];
  /** NFD local feature file for GPU Feature Discovery labels; '' = not written. */
  gfdOutputFile: string;
  /** DMI product name file (nvidia.com/gpu.machine). */
  gfdMachineTypeFile: string;
}

/** --config-dir and its companions: NVIDIA's config-manager settings, run inside the plugin. */
export interface ConfigManagerOptions {
  /** Directory of named configs, one v1 config file per name. */
  dir: string;
  /** Config used while the label is unset (or names no config); else the fallbacks. */
  defaultConfig?: string;
  fallbackStrategies: Array<'named' | 'single' | 'empty'>;
  /** This node's name: the only Node object read. */
  nodeName: string;
  /** Label whose value names the config. */
  nodeLabel: string;
  /** Kubeconfig path; unset = in-cluster service account. */
  kubeconfig?: string;
}
