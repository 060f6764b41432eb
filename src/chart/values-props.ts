import { k8s } from 'cdk8s-plus-28';
import { GpuResource } from '../common/gpu-resource';
import { GpuDevicePluginProps } from '../device-plugin/gpu-device-plugin';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { FallbackStrategy } from '../device-plugin/named-configs';
import { DevicePluginConfigProps, SharingOptions } from '../device-plugin/plugin-config';
import { PluginImage, PluginImageKind } from '../device-plugin/plugin-image';
import {
  CONFIG_VALUE_KEYS,
  ConfigEntryValues,
  ConfigValues,
  DevicePluginValues,
  SharingValues,
} from './device-plugin-values';

/** The chart's name (also GpuDevicePlugin's default object name). */
export const CHART_NAME = 'gpu-device-plugin';

/** What Helm knows about the release that the values alone do not say. */
export interface ReleaseInfo {
  /** `helm install <name>`. */
  readonly name: string;
  /** `--namespace`. */
  readonly namespace: string;
}

/**
 * User values laid over the defaults the way Helm coalesces them: objects merge key by key,
 * lists and scalars replace, and `null` deletes a default.
 */
export function coalesce(defaults: unknown, overrides: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(overrides)) {
    return overrides === undefined ? defaults : overrides;
  }
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null && key in defaults) {
      delete out[key];
    } else {
      out[key] = coalesce(defaults[key], value);
    }
  }
  return out;
}

/** Mirror of the `<chart>.fullname` helper: what the objects are called. */
export function fullname(
  values: Pick<DevicePluginValues, 'nameOverride' | 'fullnameOverride'>,
  release: ReleaseInfo,
): string {
  // Helm's trunc 63 then trimSuffix "-" (one dash, not all).
  const trunc = (s: string) => s.slice(0, 63).replace(/-$/, '');
  if (values.fullnameOverride) return trunc(values.fullnameOverride);
  const name = trunc(values.nameOverride || CHART_NAME);
  return release.name.includes(name) ? trunc(release.name) : trunc(`${release.name}-${name}`);
}

/** The dotted paths of the values of one config (`mps.root`); a list is one value. */
type ValuePath<T> = {
  [K in keyof T & string]: T[K] extends readonly unknown[]
    ? K
    : T[K] extends object
      ? K | `${K}.${ValuePath<T[K]>}`
      : K;
}[keyof T & string];

/** The type of the value at a dotted path. */
type ValueAt<T, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ValueAt<T[Head], Rest>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** A prop's type as chart values hold it: an enum is a string (the values schema holds it to the enum). */
type AsValue<T> = T extends string ? string : T extends readonly string[] ? string[] : T;

/** Where one config prop comes from in one config's chart values. */
export interface ConfigSource<T> {
  /** Dotted path of the value; the config template writes it as `{{ .<path> }}`. */
  readonly path: string;
  /** The prop from one config's values. */
  readonly read: (values: ConfigValues) => T;
  /** The template condition (on one config's values) under which the prop is set, for props without a default. */
  readonly setIf?: string;
}

/** A prop that is the chart value at `path`, as it is. */
function value<P extends ValuePath<ConfigValues>>(path: P): ConfigSource<ValueAt<ConfigValues, P>> {
  return { path, read: (v) => path.split('.').reduce((o: any, k) => o[k], v) };
}

/** A sharing prop (timeSlicing, mps): set when its group is enabled. */
function sharingValue(key: 'timeSlicing' | 'mps'): ConfigSource<SharingOptions | undefined> {
  return { path: key, read: (v) => sharingOptions(v[key]), setIf: `${key}.enabled` };
}

/**
 * Each config prop from the chart values of one config. Keyed by every prop of
 * DevicePluginConfigProps: a new prop without a chart value fails to compile here (and a path
 * that is not a config value of the right type, until device-plugin-values.ts has it).
 * config-template.ts writes the config file's template from these paths.
 */
export const CONFIG_PROPS: {
  readonly [K in keyof Required<DevicePluginConfigProps>]: ConfigSource<AsValue<DevicePluginConfigProps[K]>>;
} = {
  migStrategy: value('migStrategy'),
  deviceListStrategy: value('deviceListStrategy'),
  deviceIdStrategy: value('deviceIdStrategy'),
  failOnInitError: value('failOnInitError'),
  passDeviceSpecs: value('passDeviceSpecs'),
  nvidiaDriverRoot: value('nvidiaDriverRoot'),
  gdsEnabled: value('gdsEnabled'),
  mofedEnabled: value('mofedEnabled'),
  gdrcopyEnabled: value('gdrcopyEnabled'),
  sharedAllocationPolicy: value('sharedAllocationPolicy'),
  timeSlicing: sharingValue('timeSlicing'),
  mps: sharingValue('mps'),
  mpsRoot: value('mps.root'),
};

/** The config props of one config's chart values, as one object. */
export function configProps(values: ConfigValues): DevicePluginConfigProps {
  // The values schema holds enum values to the construct's enums, so strings pass as them.
  return Object.fromEntries(Object.entries(CONFIG_PROPS).map(([key, source]) => [key, source.read(values)]));
}

/**
 * A config.map entry laid over the top-level config values, as the chart's `mergedConfig`
 * helper does it: a key the entry sets replaces the top-level one, groups (timeSlicing, mps)
 * key by key.
 */
export function mergedConfig(values: ConfigValues, entry: ConfigEntryValues): ConfigValues {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_VALUE_KEYS) {
    const base: unknown = values[key];
    const over: unknown = (entry ?? {})[key];
    out[key] = over === undefined ? base : isPlainObject(base) && isPlainObject(over) ? { ...base, ...over } : over;
  }
  return out as unknown as ConfigValues;
}

/**
 * The GpuDevicePlugin props that give the same objects as the chart with `values`
 * (complete values, i.e. already coalesced with the defaults).
 */
export function devicePluginProps(values: DevicePluginValues, release: ReleaseInfo): GpuDevicePluginProps {
  const { image, health, updateStrategy } = values;
  const reference = `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ''}`;
  const rolling = updateStrategy.type === UpdateStrategyType.ROLLING_UPDATE;
  return {
    name: fullname(values, release),
    namespace: values.namespace.name || release.namespace,
    createNamespace: values.namespace.create,
    image: PluginImage.fromReference(reference, (image.kind || undefined) as PluginImageKind | undefined),
    ...namedOrSingle(values),
    gpuFeatureDiscovery: values.gfd.enabled,
    health: {
      disabled: health.disabled,
      skipXids: health.skipXids,
      enableXids: health.enableXids,
      recoverySeconds: health.recoverySeconds ?? undefined,
    },
    nodeSelector: Object.keys(values.nodeSelector).length > 0 ? values.nodeSelector : undefined,
    // Kubernetes JSON and cdk8s' typed props use the same field names for these two.
    affinity: values.affinity as k8s.Affinity,
    tolerations: values.tolerations as k8s.Toleration[],
    priorityClassName: values.priorityClassName,
    runtimeClassName: values.runtimeClassName || undefined,
    resources: resourceRequirements(values.resources),
    updateStrategy: {
      type: updateStrategy.type as UpdateStrategyType,
      maxUnavailable: rolling ? String(updateStrategy.maxUnavailable) : undefined,
    },
    extraEnv: values.extraEnv,
    extraArgs: values.extraArgs,
    imagePullPolicy: image.pullPolicy,
    imagePullSecrets: values.imagePullSecrets.map((s) => s.name),
    podAnnotations: values.podAnnotations,
    // Kubernetes JSON and cdk8s' typed props use the same field names for these two.
    podSecurityContext:
      Object.keys(values.podSecurityContext).length > 0
        ? (values.podSecurityContext as k8s.PodSecurityContext)
        : undefined,
    securityContext:
      Object.keys(values.securityContext).length > 0 ? (values.securityContext as k8s.SecurityContext) : undefined,
    hostNetwork: values.hostNetwork,
  };
}

// config.map set: named configs (each entry over the top-level values, by name as Helm
// iterates a map); else the top-level values are the one config.
function namedOrSingle(values: DevicePluginValues): Partial<GpuDevicePluginProps> {
  const names = Object.keys(values.config.map).sort();
  if (values.config.name) {
    // An existing ConfigMap: the top-level values only set the pod up.
    return {
      ...configProps(values),
      existingConfigMap: values.config.name,
      defaultConfig: values.config.default || undefined,
      fallbackStrategies: values.config.fallbackStrategies as FallbackStrategy[],
    };
  }
  if (names.length === 0) return configProps(values);
  return {
    configs: names.map((name) => ({ name, config: configProps(mergedConfig(values, values.config.map[name])) })),
    defaultConfig: values.config.default || undefined,
    fallbackStrategies: values.config.fallbackStrategies as FallbackStrategy[],
  };
}

function sharingOptions(s: SharingValues): SharingOptions | undefined {
  if (!s.enabled) return undefined;
  return {
    renameByDefault: s.renameByDefault,
    failRequestsGreaterThanOne: s.failRequestsGreaterThanOne,
    resources: s.resources.map((r) => ({
      resource: GpuResource.of(r.name),
      replicas: r.replicas,
      rename: r.rename,
      devices: r.devices,
    })),
  };
}

function resourceRequirements(r: { [key: string]: unknown }): k8s.ResourceRequirements {
  const quantities = (m: unknown) =>
    m === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(m as Record<string, string | number>).map(([k, v]) => [
            k,
            typeof v === 'number' ? k8s.Quantity.fromNumber(v) : k8s.Quantity.fromString(v),
          ]),
        );
  return { limits: quantities(r.limits), requests: quantities(r.requests) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
