import {
  DeviceListStrategy,
  DeviceIdStrategy,
  MigStrategy,
  SharedAllocationPolicy,
} from '../device-plugin/plugin-config';
import { DEFAULT_SKIP_XIDS } from '../common/plugin-constants';
import { NVIDIA_IMAGE_REPOSITORY, PluginImageKind } from '../device-plugin/plugin-image';
import { CONFIG_NODE_LABEL, DEFAULT_FALLBACK_STRATEGIES, FallbackStrategy } from '../device-plugin/named-configs';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { constructDefaults } from './construct-defaults';
import { K8S_PATTERNS } from '../common/validation';
import * as S from './k8s-schemas';
import { Fields, GroupField, JsonSchema, LeafField, schemaOf } from './values-model';

const K8S_LABEL_NAME = K8S_PATTERNS.labelName;

/** One shared resource, as in the plugin config's `sharing.*.resources`. */
export interface SharedResourceValues {
  name: string;
  replicas: number;
  rename?: string;
  devices?: string[];
}

/** Time-slicing or MPS. */
export interface SharingValues {
  enabled: boolean;
  renameByDefault: boolean;
  failRequestsGreaterThanOne: boolean;
  resources: SharedResourceValues[];
}

/**
 * The values that make up one plugin config (DevicePluginConfigProps): the top-level ones, and
 * the keys a `config.map` entry may set. values-props.ts maps them to the props with a table
 * the compiler holds to DevicePluginConfigProps.
 */
export const CONFIG_VALUE_KEYS = [
  'migStrategy',
  'deviceListStrategy',
  'deviceIdStrategy',
  'failOnInitError',
  'passDeviceSpecs',
  'nvidiaDriverRoot',
  'gdsEnabled',
  'mofedEnabled',
  'gdrcopyEnabled',
  'sharedAllocationPolicy',
  'timeSlicing',
  'mps',
] as const;

/** One plugin config as chart values. */
export type ConfigValues = Pick<DevicePluginValues, (typeof CONFIG_VALUE_KEYS)[number]>;

/** A `config.map` entry: any keys of a config, laid over the top-level ones (groups key by key). */
export type ConfigEntryValues = {
  [K in keyof ConfigValues]?: ConfigValues[K] extends unknown[]
    ? ConfigValues[K]
    : ConfigValues[K] extends object
      ? Partial<ConfigValues[K]>
      : ConfigValues[K];
};

/** Named configs, under NVIDIA's value names. */
export interface NamedConfigValues {
  name: string;
  map: { [name: string]: ConfigEntryValues };
  default: string;
  fallbackStrategies: string[];
}

/** The chart's values: one key per GpuDevicePlugin prop (grouped where the props nest). */
export interface DevicePluginValues {
  nameOverride: string;
  fullnameOverride: string;
  namespace: { create: boolean; name: string };
  image: { kind: string; repository: string; tag: string; digest: string; pullPolicy: string };
  imagePullSecrets: Array<{ name: string }>;
  podAnnotations: { [key: string]: string };
  podSecurityContext: { [key: string]: unknown };
  securityContext: { [key: string]: unknown };
  hostNetwork: boolean;
  migStrategy: string;
  deviceListStrategy: string[];
  deviceIdStrategy: string;
  failOnInitError: boolean;
  passDeviceSpecs: boolean;
  nvidiaDriverRoot: string;
  gdsEnabled: boolean;
  mofedEnabled: boolean;
  gdrcopyEnabled: boolean;
  sharedAllocationPolicy: string;
  timeSlicing: SharingValues;
  mps: SharingValues & { root: string };
  config: NamedConfigValues;
  health: { disabled: boolean; skipXids: number[]; enableXids: number[]; recoverySeconds: number | null };
  nodeSelector: { [key: string]: string };
  affinity: { [key: string]: unknown };
  tolerations: Array<{ [key: string]: unknown }>;
  priorityClassName: string;
  runtimeClassName: string;
  resources: { [key: string]: unknown };
  updateStrategy: { type: string; maxUnavailable: number | string };
  extraEnv: { [key: string]: string };
  extraArgs: string[];
  gfd: { enabled: boolean };
}

function leaf<T>(description: string, def: T, schema: JsonSchema, typeLabel: string): LeafField<T> {
  return { kind: 'leaf', description, default: def, schema, typeLabel };
}

function group<T>(description: string, properties: Fields<T>, rules?: JsonSchema[]): GroupField<T> {
  return { kind: 'group', description, properties, rules };
}

const enumOf = (e: object): JsonSchema => ({ type: 'string', enum: Object.values(e) });
const bool = (description: string, def: boolean) => leaf(description, def, { type: 'boolean' }, 'bool');

function sharing(what: string, failDefault: boolean): Fields<SharingValues> {
  return {
    enabled: bool(`Turn ${what} on.`, false),
    renameByDefault: bool(
      'Advertise shared resources as `<name>.shared`, so pods opt in to a shared GPU explicitly.',
      false,
    ),
    failRequestsGreaterThanOne: bool(
      'Refuse requests for more than one replica (two replicas are not twice the compute).',
      failDefault,
    ),
    resources: leaf(
      `Resources to share and their replicas per device; at least one when ${what} is on.`,
      [],
      { type: 'array', items: S.sharedResource },
      'list of {name, replicas, rename, devices}',
    ),
  };
}

const d = constructDefaults();

// Entries get the schema of the config keys, set below once the fields exist.
const CONFIG_MAP_SCHEMA: JsonSchema = { type: 'object', propertyNames: { pattern: `^${K8S_LABEL_NAME}$` } };

/** The values model of the gpu-device-plugin chart, defaults taken from GpuDevicePlugin. */
export const DEVICE_PLUGIN_FIELDS: Fields<DevicePluginValues> = {
  nameOverride: leaf('Replaces the chart name in the names of objects.', '', S.dnsLabelOrEmpty, 'string'),
  fullnameOverride: leaf(
    'Base name of every object (DaemonSet, ServiceAccount, ConfigMap `<name>-config`) instead of `<release>-<chart>`.',
    '',
    S.dnsLabelOrEmpty,
    'string',
  ),
  namespace: group('Namespace of the plugin objects.', {
    create: bool(
      'Create the namespace, labelled for Pod Security `privileged` (the plugin mounts a hostPath). Set false to use an existing one.',
      d.createNamespace,
    ),
    name: leaf('Namespace name; empty means the release namespace.', d.namespace, S.dnsLabelOrEmpty, 'string'),
  }),
  image: group('The plugin image, always pinned.', {
    kind: leaf(
      "Which plugin the image runs: `project` (this project: health endpoint, probes, XID recovery) or `nvidia` (NVIDIA's k8s-device-plugin, same config file); " +
        `empty infers it from the repository (\`${NVIDIA_IMAGE_REPOSITORY}\` is \`nvidia\`). A kind that contradicts either well-known repository is refused.`,
      '',
      { type: 'string', enum: ['', ...Object.values(PluginImageKind)] },
      'string',
    ),
    repository: leaf('Image repository.', d.image.repository, S.imageRepository, 'string'),
    tag: leaf(
      'Image tag (also the `app.kubernetes.io/version` label); `latest` is refused.',
      d.image.tag,
      S.imageTag,
      'string',
    ),
    digest: leaf('Optional digest (`sha256:…`) appended to the reference.', '', S.imageDigestOrEmpty, 'string'),
    pullPolicy: leaf(
      'When the kubelet pulls the image: `IfNotPresent`, `Always` or `Never`.',
      'IfNotPresent',
      { type: 'string', enum: ['IfNotPresent', 'Always', 'Never'] },
      'string',
    ),
  }),
  imagePullSecrets: leaf(
    "Secrets (in the plugin's namespace) to pull the image with, as `[{name: regcred}]`.",
    [],
    {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { ...S.dnsSubdomainOrEmpty, minLength: 1 } },
      },
    },
    'list of {name}',
  ),
  podAnnotations: leaf(
    'Extra annotations of the plugin pods (`cdk8s-gpu.io/config-sha256` is the config hash and cannot be set).',
    {},
    { type: 'object', additionalProperties: { type: 'string' } },
    'map of string',
  ),
  podSecurityContext: leaf(
    'Security context of the plugin pods (a Kubernetes PodSecurityContext); empty for none.',
    {},
    { type: 'object' },
    'object',
  ),
  securityContext: leaf(
    'Security context of the plugin container, replacing the generated one (which drops all capabilities and adds SYS_ADMIN only for MIG or volume-mounts, privileged only with passDeviceSpecs); empty keeps the generated one.',
    {},
    { type: 'object' },
    'object',
  ),
  hostNetwork: bool(
    "Run the plugin pods in the host's network namespace (NVIDIA's `devicePlugin.enableHostNetwork`); the health port 8080 then binds on the node.",
    false,
  ),
  migStrategy: leaf(
    'How MIG devices are advertised: `none`, `single` (as nvidia.com/gpu) or `mixed` (one resource per profile).',
    d.config.migStrategy,
    enumOf(MigStrategy),
    'string',
  ),
  deviceListStrategy: leaf(
    'How allocated devices reach the container runtime: one or more of `envvar`, `volume-mounts`, `cdi-annotations`, `cdi-cri`.',
    d.config.deviceListStrategy,
    { type: ['array', 'string'], minItems: 1, uniqueItems: true, items: enumOf(DeviceListStrategy) },
    'list of string',
  ),
  deviceIdStrategy: leaf(
    'How devices are named for the runtime: `uuid` or `index`.',
    d.config.deviceIdStrategy,
    enumOf(DeviceIdStrategy),
    'string',
  ),
  failOnInitError: bool(
    'Exit when NVML cannot start (true), or idle on nodes without GPUs (false).',
    d.config.failOnInitError,
  ),
  passDeviceSpecs: bool(
    'Pass `/dev/nvidia*` device specs to the kubelet (needed with the static CPU manager policy); makes the container privileged.',
    d.config.passDeviceSpecs,
  ),
  nvidiaDriverRoot: leaf(
    'Root of the NVIDIA driver on the host (`/run/nvidia/driver` under the GPU Operator).',
    d.config.nvidiaDriverRoot,
    S.absolutePath,
    'string',
  ),
  gdsEnabled: bool(
    "GPUDirect Storage: containers get `NVIDIA_GDS=enabled` (with CDI, the `gds` device); NVIDIA's `gdsEnabled`. Needs the GDS driver on the node.",
    d.config.gdsEnabled,
  ),
  mofedEnabled: bool(
    "Mellanox OFED (RDMA): containers get `NVIDIA_MOFED=enabled` (with CDI, the `mofed` device); NVIDIA's `mofedEnabled`. Needs MOFED on the node.",
    d.config.mofedEnabled,
  ),
  gdrcopyEnabled: bool(
    "GDRCopy: containers get `NVIDIA_GDRCOPY=enabled` (with CDI, the `gdrcopy` device); NVIDIA's `gdrcopyEnabled`. Needs the gdrdrv driver on the node.",
    d.config.gdrcopyEnabled,
  ),
  sharedAllocationPolicy: leaf(
    'How shared replicas are spread over GPUs: `distributed` or `packed`.',
    d.config.sharedAllocationPolicy,
    enumOf(SharedAllocationPolicy),
    'string',
  ),
  timeSlicing: group(
    'Time-slicing: pods take turns on a GPU (no memory or fault isolation).',
    sharing('time-slicing', d.timeSlicingFailRequestsGreaterThanOne),
  ),
  mps: group('CUDA MPS: each replica gets an equal share of memory and compute.', {
    ...sharing('MPS', d.mpsFailRequestsGreaterThanOne),
    root: leaf("Host directory for the MPS daemon's pipes and logs.", d.config.mpsRoot, S.absolutePath, 'string'),
  }),
  config: group(
    `Named configs, one picked per node by the node label \`${CONFIG_NODE_LABEL}=<name>\` (NVIDIA's value names). The plugin watches its own Node (a ClusterRole with get/list/watch on nodes is added) and applies a label change without a pod restart.`,
    {
      name: leaf(
        "An existing ConfigMap (in the plugin's namespace) with one key per named config, each a `version: v1` file (untyped, not checked here). The top-level config values then only set the pod up (capabilities, mounts): set them to what the configs need. Not with config.map.",
        '',
        S.dnsSubdomainOrEmpty,
        'string',
      ),
      map: leaf(
        `Named configs: each entry is a config in the typed keys above (${CONFIG_VALUE_KEYS.join(', ')}), laid over the top-level values (an entry sets only what differs; timeSlicing key by key). Empty: one config from the top-level values.`,
        {},
        CONFIG_MAP_SCHEMA,
        'map of config',
      ),
      default: leaf(
        'The config of nodes without the label (a key of config.map); empty: config.fallbackStrategies decide.',
        '',
        S.labelValue,
        'string',
      ),
      fallbackStrategies: leaf(
        'What a node without the label gets when config.default is empty, tried in order: `named` (the config named `default`), `single` (the only config), `empty` (built-in defaults).',
        [...DEFAULT_FALLBACK_STRATEGIES],
        { type: 'array', uniqueItems: true, items: enumOf(FallbackStrategy) },
        'list of string',
      ),
    },
  ),
  health: group('GPU health checking through NVML XID events.', {
    disabled: bool('Turn health checking off entirely.', false),
    skipXids: leaf(
      `XIDs that never mark a GPU unhealthy, added to NVIDIA's defaults (${DEFAULT_SKIP_XIDS.join(', ')}).`,
      [],
      S.xidList,
      'list of int',
    ),
    enableXids: leaf('XIDs always treated as critical, even when skipped by default.', [], S.xidList, 'list of int'),
    recoverySeconds: leaf(
      "Quiet seconds after which a GPU marked unhealthy by a recoverable XID is healthy again (0: never); null keeps the plugin's default (60). Needs `image.kind: project`.",
      null,
      { type: ['integer', 'null'], minimum: 0 },
      'int or null',
    ),
  }),
  nodeSelector: leaf(
    'Node labels that must all match for a node to run the plugin.',
    d.nodeSelector,
    S.nodeSelector,
    'map of string',
  ),
  affinity: leaf(
    'Affinity of the plugin pods; the default picks GPU nodes (NFD PCI vendor 10de, an NVIDIA CPU, or `nvidia.com/gpu.present=true`).',
    d.affinity,
    S.affinity,
    'object',
  ),
  tolerations: leaf(
    'Tolerations of the plugin pods.',
    d.tolerations,
    { type: 'array', items: S.toleration },
    'list of tolerations',
  ),
  priorityClassName: leaf(
    'Priority class of the plugin pods; empty for none.',
    d.priorityClassName,
    S.dnsSubdomainOrEmpty,
    'string',
  ),
  runtimeClassName: leaf(
    'RuntimeClass of the plugin pods (e.g. `nvidia` when it is not the default runtime); empty for the default.',
    d.runtimeClassName,
    S.dnsSubdomainOrEmpty,
    'string',
  ),
  resources: leaf(
    'Compute resources of the plugin container; `limits.memory` is required.',
    d.resources,
    S.resources,
    'object',
  ),
  updateStrategy: group('How the DaemonSet rolls out a new version.', {
    type: leaf('`RollingUpdate` or `OnDelete`.', d.updateStrategyType, enumOf(UpdateStrategyType), 'string'),
    maxUnavailable: leaf(
      'With RollingUpdate: nodes that may be without a ready plugin at once (a number ≥ 1 or a percentage like "10%").',
      d.maxUnavailable,
      S.maxUnavailable,
      'int or string',
    ),
  }),
  extraEnv: leaf(
    'Extra environment variables of the plugin container; they win over generated ones.',
    {},
    S.envMap,
    'map of string',
  ),
  extraArgs: leaf(
    'Extra command-line arguments of the plugin.',
    [],
    { type: 'array', items: { type: 'string' } },
    'list of string',
  ),
  gfd: group(
    'GPU Feature Discovery labels (`nvidia.com/gpu.product`, `nvidia.com/gpu.memory`, …) written by the plugin for node-feature-discovery.',
    {
      enabled: bool(
        "Write the labels into NFD's local feature file `/etc/kubernetes/node-feature-discovery/features.d/gfd`; NFD (installed separately) turns them into node labels. Needs `image.kind: project`.",
        false,
      ),
    },
  ),
};

/**
 * Rules between keys of different groups, as JSON Schema. None: a schema states them only
 * with `not`/`if`, whose errors read "'not' failed"; they are template checks with a message
 * instead (src/chart/checks-template.ts).
 */
export const DEVICE_PLUGIN_RULES: JsonSchema[] = [];

/**
 * The schema of one config.map entry: the top-level config keys' own schemas, none required
 * (an entry is laid over the top-level values), deviceListStrategy a list only.
 */
export function configEntrySchema(): JsonSchema {
  const fields = Object.fromEntries(CONFIG_VALUE_KEYS.map((k) => [k, DEVICE_PLUGIN_FIELDS[k]])) as Fields<ConfigValues>;
  const schema = withoutRequired(schemaOf(fields));
  const properties = schema.properties as Record<string, JsonSchema>;
  for (const group of ['timeSlicing', 'mps']) properties[group] = withoutRequired(properties[group]);
  properties.deviceListStrategy = { ...properties.deviceListStrategy, type: 'array' };
  return schema;
}

function withoutRequired(schema: JsonSchema): JsonSchema {
  const { required: _required, ...rest } = schema;
  return rest;
}

CONFIG_MAP_SCHEMA.additionalProperties = configEntrySchema();
