/** Health checking of GPUs through NVML XID events. */
export interface HealthCheckOptions {
  /**
   * Turn health checking off entirely (`DP_DISABLE_HEALTHCHECKS=all`).
   * @default false
   */
  readonly disabled?: boolean;
  /**
   * XIDs that never mark a GPU unhealthy, added to the defaults (13, 31, 43, 45, 68, 109).
   * @default - only the defaults
   */
  readonly skipXids?: number[];
  /**
   * XIDs always treated as critical, even if skipped by default (`DP_ENABLE_HEALTHCHECKS`).
   * @default - none
   */
  readonly enableXids?: number[];
  /**
   * A GPU marked unhealthy by a recoverable XID becomes healthy again after this many quiet
   * seconds; 0 keeps it unhealthy until the plugin restarts (NVIDIA's behaviour). XID 79 never
   * recovers. Needs this project's image.
   * @default 60
   */
  readonly recoverySeconds?: number;
}

/** How the DaemonSet replaces its pods. */
export enum UpdateStrategyType {
  /** Replace pods node by node. */
  ROLLING_UPDATE = 'RollingUpdate',
  /** Replace a pod only when it is deleted. */
  ON_DELETE = 'OnDelete',
}

/** Update strategy of the plugin DaemonSet. */
export interface PluginUpdateStrategy {
  /**
   * The strategy.
   * @default UpdateStrategyType.ROLLING_UPDATE
   */
  readonly type?: UpdateStrategyType;
  /**
   * With RollingUpdate: how many nodes may be without a ready plugin at once (a number or a percentage).
   * @default '1'
   */
  readonly maxUnavailable?: string;
}
