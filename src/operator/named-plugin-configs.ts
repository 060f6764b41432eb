import { Yaml } from 'cdk8s';
import { requireKnownKeys, requireLabelValue, requireOneOf } from '../common/validation';
import { DEVICE_PLUGIN_CONFIG_KEYS } from '../device-plugin/plugin-config';
import { DevicePluginConfig, MigStrategy } from '../device-plugin/plugin-config';
import { NamedDevicePluginConfig } from '../device-plugin/named-configs';

/** Name of the config used when no configs are given. */
export const DEFAULT_PLUGIN_CONFIG_NAME = 'default';

/**
 * The device plugin configs of a stack, each a DevicePluginConfig (the same model that
 * GpuDevicePlugin renders), keyed by name. Internal: the ClusterPolicy exposes the result.
 */
export class NamedPluginConfigs {
  /** Config names in the order given. */
  public readonly names: string[];
  /** The default config's name. */
  public readonly defaultName: string;
  private readonly byName = new Map<string, DevicePluginConfig>();
  private readonly writeSharedPolicy: boolean;

  /**
   * @param configs the named configs as given in props
   * @param defaultName the default config's name, if given
   * @param migStrategy the ClusterPolicy's mig.strategy, which the operator passes to the
   *   plugin as MIG_STRATEGY (an env var wins over the file, so the two must agree)
   * @param driverRoot where the driver's files are on the host
   * @param sharedPolicyPlugin undefined when the plugin that reads the configs knows
   *   `flags.plugin.sharedDevicesAllocationPolicy` (v0.20.0+); else the image that does not,
   *   named in the error when a config sets the policy (the key is then left out)
   */
  constructor(
    configs: NamedDevicePluginConfig[] | undefined,
    defaultName: string | undefined,
    migStrategy: MigStrategy,
    driverRoot: string,
    sharedPolicyPlugin?: string,
  ) {
    this.writeSharedPolicy = sharedPolicyPlugin === undefined;
    const given = configs ?? [{ name: DEFAULT_PLUGIN_CONFIG_NAME }];
    if (given.length === 0) {
      throw new Error('devicePlugin.configs is empty; give at least one config or leave it out for whole GPUs');
    }
    for (const entry of given) {
      const at = `devicePlugin.configs["${entry.name}"]`;
      requireKnownKeys(at, entry, 'NamedDevicePluginConfig', ['name', 'config']);
      requireKnownKeys(`${at}.config`, entry.config, 'DevicePluginConfigProps', DEVICE_PLUGIN_CONFIG_KEYS);
      requireLabelValue('devicePlugin.configs[].name', entry.name, 'usable as a node label value');
      if (this.byName.has(entry.name)) {
        throw new Error(`${at} is defined twice; give each config its own name`);
      }
      const props = entry.config ?? {};
      requireOneOf(`${at}.migStrategy`, props.migStrategy ?? migStrategy, MigStrategy);
      if (props.migStrategy !== undefined && props.migStrategy !== migStrategy) {
        throw new Error(
          `${at}.migStrategy is "${props.migStrategy}" but mig.strategy is "${migStrategy}"; the operator passes mig.strategy to the plugin, which overrides the file, so leave migStrategy out or set mig.strategy`,
        );
      }
      if (sharedPolicyPlugin !== undefined && props.sharedAllocationPolicy !== undefined) {
        throw new Error(
          `${at}.sharedAllocationPolicy is "${props.sharedAllocationPolicy}", but the operator's device plugin ${sharedPolicyPlugin} has no sharedDevicesAllocationPolicy (NVIDIA's plugin reads it from v0.20.0), so it would do nothing; remove it, or run device plugin v0.20.0 or newer (GpuOperatorRelease.V26_7_0)`,
        );
      }
      if (props.mps && migStrategy === MigStrategy.MIXED) {
        throw new Error(
          `${at} shares GPUs with MPS, which NVIDIA's plugin does not support with mig.strategy "mixed"; use mig.strategy "single" or "none", or time-slicing for this config`,
        );
      }
      try {
        this.byName.set(
          entry.name,
          new DevicePluginConfig({
            ...props,
            migStrategy,
            nvidiaDriverRoot: props.nvidiaDriverRoot ?? driverRoot,
          }),
        );
      } catch (e) {
        throw new Error(`${at}: ${(e as Error).message}`);
      }
    }
    this.names = given.map((c) => c.name);
    this.defaultName = defaultName ?? this.names[0];
    if (!this.byName.has(this.defaultName)) {
      throw new Error(
        `devicePlugin.defaultConfig "${this.defaultName}" is not one of the configs (${this.names.map((n) => `"${n}"`).join(', ')}); add it or pick one of them`,
      );
    }
  }

  /**
   * The config of one name.
   * @param name a config name
   */
  public get(name: string): DevicePluginConfig {
    const config = this.byName.get(name);
    if (!config) {
      throw new Error(`no device plugin config named "${name}" (have ${this.names.join(', ')})`);
    }
    return config;
  }

  /** ConfigMap data: one `version: v1` file per config name. */
  public toConfigMapData(): { [key: string]: string } {
    const data: { [key: string]: string } = {};
    for (const name of this.names) {
      const config = this.get(name);
      if (this.writeSharedPolicy) {
        data[name] = config.toYaml();
      } else {
        // A plugin before v0.20.0 does not know the key; it shares replicas its own way.
        const json = config.toJson();
        delete json.flags.plugin.sharedDevicesAllocationPolicy;
        data[name] = Yaml.stringify(json);
      }
    }
    return data;
  }
}
