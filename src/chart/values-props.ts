import { k8s } from 'cdk8s-plus-28';
import { GpuResource } from '../common/gpu-resource';
import { GpuDevicePluginProps } from '../device-plugin/gpu-device-plugin';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import {
  DeviceIdStrategy,
  DeviceListStrategy,
  MigStrategy,
  SharedAllocationPolicy,
  SharingOptions,
} from '../device-plugin/plugin-config';
import { PluginImage, PluginImageKind } from '../device-plugin/plugin-image';
import { DevicePluginValues, SharingValues } from './device-plugin-values';

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
    migStrategy: values.migStrategy as MigStrategy,
    deviceListStrategy: values.deviceListStrategy as DeviceListStrategy[],
    deviceIdStrategy: values.deviceIdStrategy as DeviceIdStrategy,
    failOnInitError: values.failOnInitError,
    passDeviceSpecs: values.passDeviceSpecs,
    nvidiaDriverRoot: values.nvidiaDriverRoot,
    sharedAllocationPolicy: values.sharedAllocationPolicy as SharedAllocationPolicy,
    timeSlicing: sharingOptions(values.timeSlicing),
    mps: sharingOptions(values.mps),
    mpsRoot: values.mps.root,
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
