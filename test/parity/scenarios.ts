/**
 * The parity scenarios: one fake node, one config file and the same Allocate requests for
 * every plugin. They cover NVIDIA's default, each deviceListStrategy, deviceIDStrategy
 * index, passDeviceSpecs, time-slicing (kept and renamed names, failRequestsGreaterThanOne,
 * per-GPU sharing) and MIG mixed, plus requests the plugins must refuse.
 */
import { a100MigSpec, defaultSpec, gpuUuid, migUuid, type FakeNvmlSpec } from '../plugin/helpers/fake-nvml';

export interface AllocateCall {
  resource: string;
  ids: string[];
}

export interface Scenario {
  name: string;
  spec: FakeNvmlSpec;
  /** NVIDIA's v1 config file, written as YAML. */
  config: Record<string, unknown>;
  /** Resources both plugins must register before the calls are made. */
  resources: string[];
  /**
   * Where our plugin deliberately registers other resources than NVIDIA's (a documented
   * difference): the resources ours must register instead of `resources`.
   */
  oursResources?: string[];
  allocate: AllocateCall[];
}

const g = gpuUuid;
const replica = (gpu: number, n: number): string => `${g(gpu)}::${n}`;
const pluginFlags = (flags: Record<string, unknown>): Record<string, unknown> => ({
  version: 'v1',
  flags: { plugin: flags },
});

/** An ID no plugin advertises: every plugin must refuse it. */
export const UNKNOWN_ID = 'GPU-00000000-0000-4000-8000-000000000000';

function timeSlicing(renameByDefault: boolean, failRequestsGreaterThanOne: boolean): Record<string, unknown> {
  return {
    version: 'v1',
    sharing: {
      timeSlicing: {
        renameByDefault,
        failRequestsGreaterThanOne,
        resources: [{ name: 'nvidia.com/gpu', replicas: 4 }],
      },
    },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'default',
    spec: defaultSpec(8),
    config: { version: 'v1' },
    resources: ['nvidia.com/gpu'],
    allocate: [
      { resource: 'nvidia.com/gpu', ids: [g(0)] },
      { resource: 'nvidia.com/gpu', ids: [g(0), g(3)] },
      { resource: 'nvidia.com/gpu', ids: [g(7), g(6), g(5), g(4), g(3), g(2), g(1), g(0)] },
      { resource: 'nvidia.com/gpu', ids: [UNKNOWN_ID] },
      { resource: 'nvidia.com/gpu', ids: [g(1), UNKNOWN_ID] },
      // The kubelet never sends a container request without IDs; the plugins answer it differently.
      { resource: 'nvidia.com/gpu', ids: [] },
    ],
  },
  {
    name: 'volume-mounts',
    spec: defaultSpec(8),
    config: pluginFlags({ deviceListStrategy: 'volume-mounts' }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(0), g(1)] }],
  },
  {
    name: 'cdi-annotations',
    spec: defaultSpec(8),
    config: pluginFlags({ deviceListStrategy: 'cdi-annotations' }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(0), g(1)] }],
  },
  {
    name: 'cdi-cri',
    spec: defaultSpec(8),
    config: pluginFlags({ deviceListStrategy: 'cdi-cri' }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(0), g(1)] }],
  },
  {
    name: 'envvar+cdi-annotations',
    spec: defaultSpec(8),
    config: pluginFlags({ deviceListStrategy: ['envvar', 'cdi-annotations'] }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(2)] }],
  },
  {
    name: 'device-id-index',
    spec: defaultSpec(8),
    config: pluginFlags({ deviceIDStrategy: 'index' }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(1), g(2)] }],
  },
  {
    name: 'pass-device-specs',
    spec: defaultSpec(8),
    config: pluginFlags({ passDeviceSpecs: true }),
    resources: ['nvidia.com/gpu'],
    allocate: [{ resource: 'nvidia.com/gpu', ids: [g(0), g(5)] }],
  },
  {
    name: 'time-slicing',
    spec: defaultSpec(8),
    config: timeSlicing(false, false),
    resources: ['nvidia.com/gpu'],
    allocate: [
      { resource: 'nvidia.com/gpu', ids: [replica(0, 0)] },
      { resource: 'nvidia.com/gpu', ids: [replica(0, 1), replica(1, 2)] },
      { resource: 'nvidia.com/gpu', ids: [replica(0, 1), replica(0, 2)] },
      { resource: 'nvidia.com/gpu', ids: [g(0)] },
    ],
  },
  {
    name: 'time-slicing-index',
    spec: defaultSpec(8),
    config: { ...timeSlicing(false, false), flags: { plugin: { deviceIDStrategy: 'index' } } },
    resources: ['nvidia.com/gpu'],
    allocate: [
      { resource: 'nvidia.com/gpu', ids: [replica(5, 0)] },
      { resource: 'nvidia.com/gpu', ids: [replica(2, 1), replica(2, 3)] },
    ],
  },
  {
    name: 'time-slicing-renamed-strict',
    spec: defaultSpec(8),
    config: timeSlicing(true, true),
    resources: ['nvidia.com/gpu.shared'],
    allocate: [
      { resource: 'nvidia.com/gpu.shared', ids: [replica(3, 3)] },
      { resource: 'nvidia.com/gpu.shared', ids: [replica(0, 0), replica(1, 0)] },
    ],
  },
  {
    // Only GPUs 0 and 1 shared, under their own name: NVIDIA's plugin drops `devices` and
    // `rename` and shares every GPU as nvidia.com/gpu.
    name: 'time-slicing-per-gpu',
    spec: defaultSpec(8),
    config: {
      version: 'v1',
      sharing: {
        timeSlicing: {
          resources: [{ name: 'nvidia.com/gpu', rename: 'gpu-shared', replicas: 2, devices: ['0', '1'] }],
        },
      },
    },
    resources: ['nvidia.com/gpu'],
    oursResources: ['nvidia.com/gpu', 'nvidia.com/gpu-shared'],
    allocate: [
      { resource: 'nvidia.com/gpu', ids: [g(5)] },
      { resource: 'nvidia.com/gpu', ids: [replica(5, 0)] },
    ],
  },
  {
    name: 'mig-mixed',
    spec: a100MigSpec(),
    config: { version: 'v1', flags: { migStrategy: 'mixed' } },
    resources: ['nvidia.com/mig-3g.40gb', 'nvidia.com/mig-2g.20gb', 'nvidia.com/mig-1g.10gb', 'nvidia.com/mig-7g.80gb'],
    allocate: [
      { resource: 'nvidia.com/mig-1g.10gb', ids: [migUuid(0, 2)] },
      { resource: 'nvidia.com/mig-1g.10gb', ids: [migUuid(0, 2), migUuid(0, 3)] },
      { resource: 'nvidia.com/mig-7g.80gb', ids: [migUuid(1, 0)] },
      { resource: 'nvidia.com/mig-3g.40gb', ids: [migUuid(1, 0)] },
    ],
  },
  {
    name: 'mig-mixed-index-device-specs',
    spec: a100MigSpec(),
    config: {
      version: 'v1',
      flags: { migStrategy: 'mixed', plugin: { deviceIDStrategy: 'index', passDeviceSpecs: true } },
    },
    resources: ['nvidia.com/mig-3g.40gb', 'nvidia.com/mig-2g.20gb', 'nvidia.com/mig-1g.10gb', 'nvidia.com/mig-7g.80gb'],
    allocate: [
      { resource: 'nvidia.com/mig-1g.10gb', ids: [migUuid(0, 3)] },
      { resource: 'nvidia.com/mig-2g.20gb', ids: [migUuid(0, 1)] },
    ],
  },
];

export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no parity scenario named ${name}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** The scenarios named on a command line (all of them when none is named). */
export function selectScenarios(names: readonly string[]): readonly Scenario[] {
  return names.length === 0 ? SCENARIOS : names.map(scenario);
}
