// Random GpuDevicePlugin props, as plain data (so fast-check can print and shrink a
// failing case) plus the function that turns them into real props. Factories such as
// PluginImage.project() and GpuResource.of() run inside the case, so their refusals count.
import fc from 'fast-check';
import { k8s } from 'cdk8s-plus-28';
import {
  DeviceIdStrategy,
  DeviceListStrategy,
  DevicePluginConfigProps,
  GpuDevicePluginProps,
  GpuResource,
  MigProfile,
  MigStrategy,
  PluginImage,
  PluginImageKind,
  SharedAllocationPolicy,
  SharedResource,
  SharingOptions,
  UpdateStrategyType,
} from '../../../src';
import {
  absPath,
  count,
  dnsLabel,
  envName,
  imageRef,
  imageTag,
  labelMap,
  labelValue,
  mostly,
  optional,
  plain,
  quantity,
  subdomainField,
  toleration,
} from './primitives';

// Typed enums take only their members: TypeScript and jsii's other languages allow no other
// value. (The chart's values are strings; its fuzzer sends wrong ones.)
const enumOf = <T extends string>(values: T[]) => fc.constantFrom(...values);

const resourceSpec = fc.oneof(
  fc.constant({ gpu: true }),
  fc.constant({ shared: true }),
  fc.record({ mig: mostly(fc.constantFrom('1g.10gb', '2g.20gb', '1g.10gb+me', '1c.2g.20gb')) }),
  fc.record({
    of: mostly(fc.constantFrom('nvidia.com/gpu', 'nvidia.com/a100-shared', 'example.com/gpu', 'nvidia.com/mig-1g.5gb')),
  }),
);

const sharingSpec = fc.record(
  {
    resources: fc.array(
      fc.record(
        {
          resource: optional(resourceSpec),
          replicas: count(2, 16),
          rename: optional(mostly(fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,12}[a-z0-9])?$/))),
          devices: optional(
            fc.array(
              mostly(
                fc.oneof(fc.stringMatching(/^\d{1,2}(:\d)?$/), fc.constant('GPU-8a3b2c1d-0000-1111-2222-333344445555')),
              ),
              { maxLength: 3 },
            ),
          ),
        },
        { requiredKeys: ['replicas'] },
      ),
      { maxLength: 3 },
    ),
    renameByDefault: optional(fc.boolean()),
    failRequestsGreaterThanOne: optional(fc.boolean()),
  },
  { requiredKeys: ['resources'] },
);

/** The config part, shared with the operator stack's named configs. */
const freeConfigSpec = fc.record(
  {
    migStrategy: optional(enumOf(Object.values(MigStrategy))),
    deviceListStrategy: optional(fc.array(enumOf(Object.values(DeviceListStrategy)), { maxLength: 3 })),
    deviceIdStrategy: optional(enumOf(Object.values(DeviceIdStrategy))),
    failOnInitError: optional(fc.boolean()),
    passDeviceSpecs: optional(fc.boolean()),
    nvidiaDriverRoot: optional(mostly(absPath)),
    sharedAllocationPolicy: optional(enumOf(Object.values(SharedAllocationPolicy))),
    timeSlicing: optional(sharingSpec),
    mps: optional(sharingSpec),
    mpsRoot: optional(mostly(absPath)),
  },
  { requiredKeys: [] },
);

const imageSpec = fc.oneof(
  fc.record({ project: optional(mostly(imageTag)) }),
  fc.record({ nvidia: optional(mostly(imageTag)) }),
  fc.record({ reference: mostly(imageRef), kind: fc.constantFrom(...Object.values(PluginImageKind)) }),
);

const freePluginSpec = fc.record(
  {
    name: optional(mostly(dnsLabel)),
    namespace: optional(mostly(dnsLabel)),
    createNamespace: optional(fc.boolean()),
    image: optional(imageSpec),
    config: freeConfigSpec,
    health: optional(
      fc.record(
        {
          disabled: optional(fc.boolean()),
          skipXids: optional(fc.array(count(1, 200), { maxLength: 3 })),
          enableXids: optional(fc.array(count(1, 200), { maxLength: 3 })),
          recoverySeconds: optional(count(0, 3600)),
        },
        { requiredKeys: [] },
      ),
    ),
    nodeSelector: optional(labelMap),
    tolerations: optional(fc.array(toleration, { maxLength: 3 })),
    affinityProduct: optional(mostly(labelValue)),
    priorityClassName: optional(subdomainField),
    runtimeClassName: optional(subdomainField),
    resources: optional(
      fc.record(
        {
          limits: optional(fc.record({ memory: optional(quantity), cpu: optional(quantity) }, { requiredKeys: [] })),
          requests: optional(fc.record({ memory: optional(quantity), cpu: optional(quantity) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
    updateStrategy: optional(
      fc.record(
        {
          type: optional(enumOf(Object.values(UpdateStrategyType))),
          maxUnavailable: optional(
            mostly(
              fc.oneof(
                fc.integer({ min: 1, max: 50 }).map(String),
                fc.integer({ min: 1, max: 100 }).map((n) => `${n}%`),
              ),
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    extraEnv: optional(fc.dictionary(mostly(envName), fc.string({ maxLength: 10 }), { maxKeys: 3 })),
    extraArgs: optional(fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 })),
  },
  { requiredKeys: ['config'] },
);

export type DevicePluginSpec = typeof freePluginSpec extends fc.Arbitrary<infer T> ? T : never;
type ConfigSpec = typeof freeConfigSpec extends fc.Arbitrary<infer T> ? T : never;

const isMig = (r: any) => r.resource?.mig !== undefined || String(r.resource?.of).startsWith('nvidia.com/mig-');

/**
 * The config refuses settings that do not fit together (an empty or repeated strategy, MPS
 * with MIG mixed, a MIG resource without MIG mixed, two resources advertised alike). Left
 * free, four cases in five stop there; so most cases are made to fit, the rest stay free.
 */
function fitConfig(free: ConfigSpec): ConfigSpec {
  const c: any = plain(free);
  if (c.deviceListStrategy) c.deviceListStrategy = [...new Set(c.deviceListStrategy)];
  if (c.deviceListStrategy?.length === 0) delete c.deviceListStrategy;
  for (const field of ['timeSlicing', 'mps']) {
    // One resource each, and not both sharing nvidia.com/gpu under the same name.
    if (c[field]) c[field].resources = c[field].resources.slice(0, 1);
    if (c[field]?.resources.length === 0) delete c[field];
  }
  if (c.timeSlicing && c.mps) delete c.mps;
  if (c.mps && c.migStrategy === MigStrategy.MIXED) c.migStrategy = MigStrategy.SINGLE;
  if (c.mps?.resources.some(isMig)) delete c.mps;
  if (c.timeSlicing?.resources.some(isMig)) c.migStrategy = MigStrategy.MIXED;
  return c;
}

function fitPlugin(free: DevicePluginSpec): DevicePluginSpec {
  const p: any = plain(free);
  p.config = fitConfig(p.config);
  if (p.resources && !p.resources.limits?.memory) p.resources.limits = { ...p.resources.limits, memory: '192Mi' };
  if (p.image && ('nvidia' in p.image || p.image.kind === PluginImageKind.NVIDIA) && p.health)
    delete p.health.recoverySeconds;
  return p;
}

/** The config part, shared with the operator stack's named configs: mostly fitting, sometimes free. */
export const pluginConfigSpec = fc.oneof(
  { arbitrary: freeConfigSpec.map(fitConfig), weight: 5 },
  { arbitrary: freeConfigSpec, weight: 1 },
);
/** GpuDevicePlugin props: mostly fitting together, sometimes free. */
export const devicePluginSpec = fc.oneof(
  { arbitrary: freePluginSpec.map(fitPlugin), weight: 5 },
  { arbitrary: freePluginSpec, weight: 1 },
);

function resource(spec: any): GpuResource | undefined {
  if (spec === undefined) return undefined;
  if (spec.gpu) return GpuResource.NVIDIA_GPU;
  if (spec.shared) return GpuResource.NVIDIA_GPU_SHARED;
  if (spec.mig !== undefined) return GpuResource.mig(MigProfile.of(spec.mig));
  return GpuResource.of(spec.of);
}

function sharing(spec: any): SharingOptions | undefined {
  if (spec === undefined) return undefined;
  const resources: SharedResource[] = spec.resources.map((r: any) => ({ ...r, resource: resource(r.resource) }));
  return { ...spec, resources };
}

/** Config props from their spec (enums are passed as the strings generated, right or wrong). */
export function pluginConfigProps(spec: ConfigSpec): DevicePluginConfigProps {
  return { ...(spec as any), timeSlicing: sharing(spec.timeSlicing), mps: sharing(spec.mps) };
}

function image(spec: any): PluginImage | undefined {
  if (spec === undefined) return undefined;
  if ('project' in spec) return PluginImage.project(spec.project);
  if ('nvidia' in spec) return PluginImage.nvidia(spec.nvidia);
  return PluginImage.fromReference(spec.reference, spec.kind);
}

function requirements(spec: any): k8s.ResourceRequirements | undefined {
  if (spec === undefined) return undefined;
  const map = (m: any) =>
    m === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(m)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, k8s.Quantity.fromString(v as string)]),
        );
  return { limits: map(spec.limits), requests: map(spec.requests) };
}

/** Real props from a spec. */
export function devicePluginProps(fuzzed: DevicePluginSpec): GpuDevicePluginProps {
  const spec = plain(fuzzed);
  const affinity: k8s.Affinity | undefined =
    spec.affinityProduct === undefined
      ? undefined
      : {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: [spec.affinityProduct] }],
                },
              ],
            },
          },
        };
  return {
    ...pluginConfigProps(spec.config),
    name: spec.name,
    namespace: spec.namespace,
    createNamespace: spec.createNamespace,
    image: image(spec.image),
    health: spec.health,
    nodeSelector: spec.nodeSelector,
    tolerations: spec.tolerations as k8s.Toleration[] | undefined,
    affinity,
    priorityClassName: spec.priorityClassName,
    runtimeClassName: spec.runtimeClassName,
    resources: requirements(spec.resources),
    updateStrategy: spec.updateStrategy as any,
    extraEnv: spec.extraEnv,
    extraArgs: spec.extraArgs,
  };
}
