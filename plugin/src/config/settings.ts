/**
 * The flat view of every option that a flag, an env var or the config file can set,
 * keyed the same way in each source so that precedence is a plain per-key merge.
 * load.ts folds the merged settings into the nested PluginConfig.
 */
import type {
  DeviceIdStrategy,
  DeviceListStrategy,
  MigStrategy,
  RuntimeOptions,
  SharedDevicesAllocationPolicy,
} from './types.js';
import type { DiscoveryStrategy, FallbackStrategy } from './rules.js';

export interface Settings {
  migStrategy: MigStrategy;
  failOnInitError: boolean;
  nvidiaDriverRoot: string;
  /** Unset means "same as nvidiaDriverRoot" (resolved after the merge). */
  nvidiaDevRoot: string | undefined;
  /** Empty means not set; MPS sharing needs it. */
  mpsRoot: string;
  gdrcopyEnabled: boolean;
  gdsEnabled: boolean;
  mofedEnabled: boolean;
  deviceDiscoveryStrategy: DiscoveryStrategy;
  passDeviceSpecs: boolean;
  deviceListStrategy: DeviceListStrategy[];
  deviceIDStrategy: DeviceIdStrategy;
  cdiAnnotationPrefix: string;
  nvidiaCTKPath: string;
  containerDriverRoot: string;
  sharedDevicesAllocationPolicy: SharedDevicesAllocationPolicy;
  imexChannelIDs: number[];
  imexRequired: boolean;
  /** Accepted for compatibility; no feature flag changes our CDI spec. */
  cdiFeatureFlags: string[];
  /** Hooks left out of the CDI spec (NVIDIA's names, or `all`). */
  cdiDisableHooks: string[];
  /** Directory of the CDI spec. */
  cdiRoot: string;
  /** NFD local feature file for GFD labels; empty = off. */
  gfdOutputFile: string;
  gfdMachineTypeFile: string;
  kubeletSocket: string;
  configFile: string | undefined;
  /** Directory of named configs (one file per config), selected by the node label. */
  configDir: string | undefined;
  defaultConfig: string | undefined;
  fallbackStrategies: FallbackStrategy[];
  nodeName: string | undefined;
  nodeLabel: string;
  kubeconfig: string | undefined;
  devicePluginPath: string;
  nvmlLibrary: string;
  metricsPort: number;
  metricsBindAddress: string;
  logLevel: RuntimeOptions['logLevel'];
  healthRecoverySeconds: number;
  lostGpuCheckMs: number;
}

export type SettingKey = keyof Settings;
