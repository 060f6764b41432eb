import { isLabelName, requireKnownKeys, requireOneOf } from '../common/validation';
import { DEVICE_PLUGIN_CONFIG_KEYS } from './plugin-config';
import { DevicePluginConfig, DevicePluginConfigProps } from './plugin-config';

/** The node label that selects a node's config (NVIDIA's config manager reads the same one). */
export const CONFIG_NODE_LABEL = 'nvidia.com/device-plugin.config';

/** A named device plugin config; nodes pick one with `nvidia.com/device-plugin.config=<name>`. */
export interface NamedDevicePluginConfig {
  /** The config's name (a node label value), e.g. `time-sliced-4`. */
  readonly name: string;
  /**
   * The config. Under GpuOperatorStack, migStrategy defaults to the stack's mig.strategy and
   * nvidiaDriverRoot to where the operator's driver lives.
   * @default - whole GPUs, no sharing
   */
  readonly config?: DevicePluginConfigProps;
}

/**
 * What the plugin does on a node whose `nvidia.com/device-plugin.config` label is unset and no
 * default config is named (NVIDIA's config manager `--fallback-strategies`, tried in order).
 */
export enum FallbackStrategy {
  /** Use the config named `default`, if there is one. */
  NAMED = 'named',
  /** Use the only config, if there is exactly one. */
  SINGLE = 'single',
  /** Use the plugin's built-in config (whole GPUs, no sharing). */
  EMPTY = 'empty',
}

/** NVIDIA's default fallback strategies (`named,single`). */
export const DEFAULT_FALLBACK_STRATEGIES: FallbackStrategy[] = [FallbackStrategy.NAMED, FallbackStrategy.SINGLE];

/** The configs of a GpuDevicePlugin in named-config mode, validated. Internal. */
export interface ResolvedNamedConfigs {
  /** Config names in the order given. */
  readonly names: string[];
  /** The configs, in the same order. */
  readonly configs: DevicePluginConfig[];
  /** The default config's name, when one is named. */
  readonly defaultName?: string;
  /** The fallback strategies, in order. */
  readonly fallbackStrategies: FallbackStrategy[];
}

/**
 * Validates `configs`, `defaultConfig` and `fallbackStrategies` as GpuDevicePlugin takes them
 * (any jsii caller: plain objects, strings for enums) and builds each config's model.
 */
export function resolveNamedConfigs(
  configs: NamedDevicePluginConfig[],
  defaultConfig: string | undefined,
  fallbackStrategies: FallbackStrategy[] | undefined,
): ResolvedNamedConfigs {
  if (!Array.isArray(configs)) {
    throw new Error(`configs must be a list of {name, config} (got ${JSON.stringify(configs)})`);
  }
  if (configs.length === 0) {
    throw new Error(
      'configs is empty; give at least one named config, or leave configs out and use the single-config props',
    );
  }
  const names: string[] = [];
  const models: DevicePluginConfig[] = [];
  configs.forEach((entry, i) => {
    requireKnownKeys(`configs[${i}]`, entry, 'NamedDevicePluginConfig', ['name', 'config']);
    if (typeof entry.name !== 'string' || !isLabelName(entry.name)) {
      throw new Error(
        `configs[${i}].name must be usable as the value of the node label ${CONFIG_NODE_LABEL}: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${JSON.stringify(entry.name)})`,
      );
    }
    const at = `configs["${entry.name}"]`;
    if (names.includes(entry.name)) {
      throw new Error(`${at} is defined twice; give each config its own name`);
    }
    requireKnownKeys(`${at}.config`, entry.config, 'DevicePluginConfigProps', DEVICE_PLUGIN_CONFIG_KEYS);
    try {
      models.push(new DevicePluginConfig(entry.config ?? {}));
    } catch (e) {
      throw new Error(`${at}.config: ${(e as Error).message}`);
    }
    names.push(entry.name);
  });
  const fallbacks = resolveFallbacks(fallbackStrategies);
  const list = names.map((n) => `"${n}"`).join(', ');
  if (defaultConfig !== undefined && !names.includes(defaultConfig)) {
    throw new Error(`defaultConfig "${defaultConfig}" is not one of the configs (${list}); add it or name one of them`);
  }
  // NVIDIA's chart refuses the same: a node without the label would have no config.
  const resolvable =
    defaultConfig !== undefined ||
    (fallbacks.includes(FallbackStrategy.NAMED) && names.includes('default')) ||
    (fallbacks.includes(FallbackStrategy.SINGLE) && names.length === 1) ||
    fallbacks.includes(FallbackStrategy.EMPTY);
  if (!resolvable) {
    throw new Error(
      `a node without the ${CONFIG_NODE_LABEL} label would get no config: defaultConfig is not set, fallbackStrategies is [${fallbacks.join(', ')}] and the configs are ${list}; set defaultConfig to one of them, name one config "default" (fallback "named"), or add FallbackStrategy.EMPTY`,
    );
  }
  const driverRoots = [...new Set(models.map((m) => m.nvidiaDriverRoot))];
  if (driverRoots.length > 1) {
    throw new Error(
      `the configs name different nvidiaDriverRoot values (${driverRoots.map((r) => `"${r}"`).join(', ')}), but one pod mounts one driver root whatever config its node selects; give every config the same nvidiaDriverRoot`,
    );
  }
  const mps = names.filter((_, i) => models[i].mps);
  if (mps.length > 0) {
    throw new Error(
      `${mps.map((n) => `configs["${n}"]`).join(', ')} share GPUs with MPS, which named configs do not support yet (the MPS control daemon follows one config); use time-slicing in named configs, or a single-config plugin (mps without configs) on the MPS nodes`,
    );
  }
  return { names, configs: models, defaultName: defaultConfig, fallbackStrategies: fallbacks };
}

/** The fallback strategies, validated for any jsii caller; NVIDIA's default when undefined. */
export function resolveFallbacks(fallbackStrategies: FallbackStrategy[] | undefined): FallbackStrategy[] {
  const fallbacks = fallbackStrategies ?? DEFAULT_FALLBACK_STRATEGIES;
  if (!Array.isArray(fallbacks)) {
    throw new Error(
      `fallbackStrategies must be a list, e.g. [FallbackStrategy.NAMED, FallbackStrategy.SINGLE] (got ${JSON.stringify(fallbacks)})`,
    );
  }
  fallbacks.forEach((s, i) => requireOneOf(`fallbackStrategies[${i}]`, s, FallbackStrategy));
  const dup = fallbacks.find((s, i) => fallbacks.indexOf(s) !== i);
  if (dup) {
    throw new Error(`fallbackStrategies lists "${dup}" twice; list each strategy once`);
  }
  return [...fallbacks];
}
