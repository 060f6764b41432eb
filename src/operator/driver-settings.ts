import { OperandImage } from './operator-images';
import { KernelModuleType } from './vocabulary';

/** Draining a node (`kubectl drain`) before its driver is reloaded. */
export interface DriverDrainSettings {
  /**
   * Drain the node before the driver reloads.
   * @default false
   */
  readonly enable?: boolean;
  /**
   * Also delete pods that no controller manages.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Give up after this many seconds (0: wait forever).
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * Also delete pods with emptyDir volumes (their data is lost).
   * @default false
   */
  readonly deleteEmptyDir?: boolean;
  /**
   * Drain only pods matching this label selector.
   * @default - every pod
   */
  readonly podSelector?: string;
}

/** Deleting the pods that use GPUs before the driver reloads. */
export interface GpuPodDeletionSettings {
  /**
   * Also delete GPU pods that no controller manages.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Give up after this many seconds (0: wait forever).
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * Also delete GPU pods with emptyDir volumes.
   * @default false
   */
  readonly deleteEmptyDir?: boolean;
}

/** Automatic, node-by-node driver upgrades (`driver.upgradePolicy`). */
export interface DriverUpgradePolicy {
  /**
   * Upgrade nodes automatically when the driver version changes.
   * @default true
   */
  readonly autoUpgrade?: boolean;
  /**
   * Nodes upgraded at the same time (0: all at once).
   * @default 1
   */
  readonly maxParallelUpgrades?: number;
  /**
   * Nodes that may be unavailable during the upgrade (a number or a percentage).
   * @default '25%'
   */
  readonly maxUnavailable?: string;
  /**
   * Wait for pods matching this label selector to finish before upgrading a node.
   * @default - do not wait
   */
  readonly waitForCompletionPodSelector?: string;
  /**
   * How GPU pods are deleted before the reload.
   * @default - controlled pods only, 300 s timeout, keep emptyDir pods
   */
  readonly gpuPodDeletion?: GpuPodDeletionSettings;
  /**
   * Whether and how the node is drained before the reload.
   * @default - no drain
   */
  readonly drain?: DriverDrainSettings;
}

/** The containerized NVIDIA driver (`spec.driver`). */
export interface DriverSettings {
  /**
   * Let the operator install the driver; false when nodes come with one.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Driver version (with usePrecompiled: the branch, e.g. `580`). Shortcut for image.withVersion().
   * @default - the release's driver (595.91.07 in v26.7.0; its branch, 595, with usePrecompiled)
   */
  readonly version?: string;
  /**
   * The driver image (the operator appends the node's OS to the tag).
   * @default - the release's driver image
   */
  readonly image?: OperandImage;
  /**
   * Use NVIDIA's precompiled driver images instead of compiling on the node.
   * @default false
   */
  readonly usePrecompiled?: boolean;
  /**
   * Which kernel modules to load.
   * @default KernelModuleType.AUTO
   */
  readonly kernelModuleType?: KernelModuleType;
  /**
   * Automatic driver upgrades.
   * @default - automatic, one node at a time, GPU pods deleted first, no drain
   */
  readonly upgradePolicy?: DriverUpgradePolicy;
  /**
   * Image of the driver manager init container.
   * @default - the release's driver manager
   */
  readonly managerImage?: OperandImage;
}
