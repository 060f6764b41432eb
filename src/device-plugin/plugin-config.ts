import { Yaml } from 'cdk8s';
import { GpuResource, NVIDIA_DOMAIN } from '../common/gpu-resource';
import { requireAbsolutePath, requireKnownKeys, requireOneOf } from '../common/validation';
import { ConfigFileCondition, ConfigFileForm, ConfigFileLayout, ConfigFileNode, configFileTree } from './config-file';

/** How MIG devices are advertised (NVIDIA's `flags.migStrategy`). */
export enum MigStrategy {
  /** MIG is ignored; whole GPUs are advertised as `nvidia.com/gpu`. */
  NONE = 'none',
  /** MIG devices are advertised as `nvidia.com/gpu`; every GPU has the same layout. */
  SINGLE = 'single',
  /** One resource per profile, e.g. `nvidia.com/mig-1g.10gb`. */
  MIXED = 'mixed',
}

/** How allocated devices are passed to the container runtime (`flags.plugin.deviceListStrategy`). */
export enum DeviceListStrategy {
  /** `NVIDIA_VISIBLE_DEVICES=<ids>` environment variable. */
  ENVVAR = 'envvar',
  /** One `/dev/null` mount per device under `/var/run/nvidia-container-devices`. */
  VOLUME_MOUNTS = 'volume-mounts',
  /** CDI devices named in a container annotation. */
  CDI_ANNOTATIONS = 'cdi-annotations',
  /** CDI devices in the CRI field (Kubernetes 1.29+). */
  CDI_CRI = 'cdi-cri',
}

/** How devices are named in what the container receives (`flags.plugin.deviceIDStrategy`). */
export enum DeviceIdStrategy {
  /** GPU and MIG UUIDs. */
  UUID = 'uuid',
  /** NVML indices (`0`, `1:2`). */
  INDEX = 'index',
}

/** How shared replicas are spread over GPUs (`flags.plugin.sharedDevicesAllocationPolicy`). */
export enum SharedAllocationPolicy {
  /** Spread replicas over as many GPUs as possible. */
  DISTRIBUTED = 'distributed',
  /** Fill one GPU before the next. */
  PACKED = 'packed',
}

/** One shared resource: how many replicas each GPU of it gets. */
export interface SharedResource {
  /**
   * The resource to share.
   * @default GpuResource.NVIDIA_GPU
   */
  readonly resource?: GpuResource;
  /** Replicas advertised per device (a whole number ≥ 2; 1 means no sharing). */
  readonly replicas: number;
  /**
   * Advertise the replicas under this name (without `nvidia.com/`) instead of the default.
   * @default - the resource's name, with `.shared` appended when renameByDefault is set
   */
  readonly rename?: string;
  /**
   * Only these GPUs are shared (indices like `0`, UUIDs, or MIG indices like `1:0`);
   * the others stay whole. NVIDIA's own plugin ignores this field; ours honours it.
   * @default - every device of the resource
   */
  readonly devices?: string[];
}

/** Settings common to time-slicing and MPS. */
export interface SharingOptions {
  /** The resources to share, with their replica counts. */
  readonly resources: SharedResource[];
  /**
   * Advertise shared resources as `<name>.shared` so pods opt in explicitly.
   * @default false
   */
  readonly renameByDefault?: boolean;
  /**
   * Refuse requests for more than one replica (a request for 2 replicas does not mean 2× the compute).
   * @default false for time-slicing, true for MPS
   */
  readonly failRequestsGreaterThanOne?: boolean;
}

/** The device plugin's behaviour, rendered as NVIDIA's `version: v1` config file. */
export interface DevicePluginConfigProps {
  /**
   * How MIG devices are advertised.
   * @default MigStrategy.NONE
   */
  readonly migStrategy?: MigStrategy;
  /**
   * How allocated devices reach the container runtime; one or several.
   * @default [DeviceListStrategy.ENVVAR]
   */
  readonly deviceListStrategy?: DeviceListStrategy[];
  /**
   * How devices are named for the runtime.
   * @default DeviceIdStrategy.UUID
   */
  readonly deviceIdStrategy?: DeviceIdStrategy;
  /**
   * Exit when NVML cannot start (true), or idle on nodes without GPUs (false).
   * @default true
   */
  readonly failOnInitError?: boolean;
  /**
   * Pass `/dev/nvidia*` device specs to the kubelet (needed with the static CPU manager policy).
   * Requires a privileged container.
   * @default false
   */
  readonly passDeviceSpecs?: boolean;
  /**
   * Root of the NVIDIA driver installation on the host (`/run/nvidia/driver` under the GPU Operator).
   * @default '/'
   */
  readonly nvidiaDriverRoot?: string;
  /**
   * GPUDirect Storage: the plugin starts containers with `NVIDIA_GDS=enabled` (with CDI, the
   * `gds` device too), as NVIDIA's `--gds-enabled`. Needs the GDS driver on the node.
   * @default false
   */
  readonly gdsEnabled?: boolean;
  /**
   * Mellanox OFED (RDMA): the plugin starts containers with `NVIDIA_MOFED=enabled` (with CDI, the
   * `mofed` device too), as NVIDIA's `--mofed-enabled`. Needs MOFED on the node.
   * @default false
   */
  readonly mofedEnabled?: boolean;
  /**
   * GDRCopy: the plugin starts containers with `NVIDIA_GDRCOPY=enabled` (with CDI, the `gdrcopy`
   * device too), as NVIDIA's `--gdrcopy-enabled`. Needs the gdrdrv driver on the node.
   * @default false
   */
  readonly gdrcopyEnabled?: boolean;
  /**
   * How shared replicas are spread over GPUs.
   * @default SharedAllocationPolicy.DISTRIBUTED
   */
  readonly sharedAllocationPolicy?: SharedAllocationPolicy;
  /**
   * Time-slicing: several pods take turns on one GPU (no memory or fault isolation).
   * @default - no time-slicing
   */
  readonly timeSlicing?: SharingOptions;
  /**
   * CUDA MPS: each replica gets an equal share of memory and compute, enforced by the MPS daemon.
   *
   * With `mps`, GpuDevicePlugin also deploys the MPS control daemon (DaemonSet
   * `<name>-mps-control-daemon`, `gpu-device-plugin mps-control-daemon`), which runs
   * `nvidia-cuda-mps-control -d` per MPS-shared resource under `mpsRoot`; the plugin advertises
   * the replicas only once that daemon is ready. The daemon runs with hostPID (the MPS server
   * identifies its client processes by host PID, as in NVIDIA's chart) and privileged.
   * @default - no MPS
   */
  readonly mps?: SharingOptions;
  /**
   * Host directory for the MPS daemon's pipes and logs (required with mps).
   * @default '/run/nvidia/mps'
   */
  readonly mpsRoot?: string;
}

/**
 * The one declaration of the config file's layout: every prop of DevicePluginConfigProps (a
 * new prop fails to compile here until it is listed), its default, its place in NVIDIA's file
 * and when it is written. The constructor's defaults, toProps(), toJson(), the keys refused in
 * plain-object configs and the chart's config template (src/chart/config-template.ts) are all
 * made from it. Keys of one section appear in the file in the order of this table (a section
 * stands where its first key does), so the order is part of the file's bytes and its sha256.
 * Not part of the public API (jsii does not export constants); the types are in config-file.ts.
 */
const LAYOUT = {
  migStrategy: { default: MigStrategy.NONE, at: 'flags.migStrategy', written: 'always' },
  failOnInitError: { default: true, at: 'flags.failOnInitError', written: 'always' },
  nvidiaDriverRoot: { default: '/', at: 'flags.nvidiaDriverRoot', written: 'always' },
  gdsEnabled: { default: false, at: 'flags.gdsEnabled', written: 'ifTrue' },
  mofedEnabled: { default: false, at: 'flags.mofedEnabled', written: 'ifTrue' },
  gdrcopyEnabled: { default: false, at: 'flags.gdrcopyEnabled', written: 'ifTrue' },
  passDeviceSpecs: { default: false, at: 'flags.plugin.passDeviceSpecs', written: 'always' },
  deviceListStrategy: {
    default: [DeviceListStrategy.ENVVAR],
    at: 'flags.plugin.deviceListStrategy',
    written: 'always',
    form: 'oneOrList',
  },
  deviceIdStrategy: { default: DeviceIdStrategy.UUID, at: 'flags.plugin.deviceIDStrategy', written: 'always' },
  sharedAllocationPolicy: {
    default: SharedAllocationPolicy.DISTRIBUTED,
    at: 'flags.plugin.sharedDevicesAllocationPolicy',
    written: { ifSet: ['timeSlicing', 'mps'] },
  },
  mpsRoot: { default: '/run/nvidia/mps', at: 'flags.mpsRoot', written: { ifSet: ['mps'] } },
  timeSlicing: {
    default: undefined,
    at: 'sharing.timeSlicing',
    written: { ifSet: ['timeSlicing'] },
    form: 'timeSlicing',
  },
  mps: { default: undefined, at: 'sharing.mps', written: { ifSet: ['mps'] }, form: 'mps' },
} as const satisfies ConfigFileLayout;

/** The layout, for the chart's config template and tests (typed as a layout, so a missing prop errors only above). */
export const CONFIG_FILE_LAYOUT: ConfigFileLayout = LAYOUT;

type ConfigKey = keyof DevicePluginConfigProps;

/** The props with their defaults resolved: a prop with a default is never undefined. */
type ResolvedProps = {
  readonly [K in ConfigKey]-?: (typeof LAYOUT)[K]['default'] extends undefined
    ? DevicePluginConfigProps[K]
    : NonNullable<DevicePluginConfigProps[K]>;
};

const CONFIG_KEYS = Object.keys(LAYOUT) as ConfigKey[];

/**
 * The props of DevicePluginConfigProps, for configs passed as plain objects inside lists
 * (named configs from Python), and to refuse single-config props beside named configs.
 */
export const DEVICE_PLUGIN_CONFIG_KEYS: readonly string[] = CONFIG_KEYS;

/** A config's props, read from its getters: a prop without its getter fails to compile at the call. */
function propsOf(config: { readonly [K in ConfigKey]-?: DevicePluginConfigProps[K] }): DevicePluginConfigProps {
  return Object.fromEntries(CONFIG_KEYS.map((key) => [key, config[key]]));
}

/** How each form writes a value into the file. */
const WRITE_FORM: { readonly [F in ConfigFileForm]: (value: any) => unknown } = {
  value: (v) => v,
  oneOrList: (v: unknown[]) => (v.length === 1 ? v[0] : [...v]),
  timeSlicing: (v: SharingOptions) => renderSharing(v, false),
  mps: (v: SharingOptions) => renderSharing(v, true),
};

const RESOURCE_PREFIX = `${NVIDIA_DOMAIN}/`;
// The props of the structs a jsii caller may pass as plain objects inside lists.
const SHARING_OPTIONS_KEYS = ['resources', 'renameByDefault', 'failRequestsGreaterThanOne'];
const SHARED_RESOURCE_KEYS = ['resource', 'replicas', 'rename', 'devices'];

const RENAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DEVICE_REF_RE = /^(\d+|\d+:\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-fA-F-]+)$/;

/**
 * The device plugin config (NVIDIA's `version: v1` file), validated at construction.
 * Used by GpuDevicePlugin for its ConfigMap and by GpuOperatorStack for the operator's
 * named configs: one model for both.
 */
export class DevicePluginConfig {
  private readonly resolved: ResolvedProps;

  constructor(props: DevicePluginConfigProps = {}) {
    const resolved: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
      const given: unknown = props[key];
      const fallback: unknown = CONFIG_FILE_LAYOUT[key].default;
      // A copy of a default list, so no two configs share (and a caller cannot change) it.
      resolved[key] = given !== undefined ? given : Array.isArray(fallback) ? [...fallback] : fallback;
    }
    this.resolved = resolved as ResolvedProps;
    this.validate();
  }

  /** The MIG strategy in effect. */
  public get migStrategy(): MigStrategy {
    return this.resolved.migStrategy;
  }
  /** The device list strategies in effect. */
  public get deviceListStrategy(): DeviceListStrategy[] {
    return this.resolved.deviceListStrategy;
  }
  /** The device ID strategy in effect. */
  public get deviceIdStrategy(): DeviceIdStrategy {
    return this.resolved.deviceIdStrategy;
  }
  /** Whether the plugin exits when NVML cannot start. */
  public get failOnInitError(): boolean {
    return this.resolved.failOnInitError;
  }
  /** Whether device specs are passed. */
  public get passDeviceSpecs(): boolean {
    return this.resolved.passDeviceSpecs;
  }
  /** Driver root on the host. */
  public get nvidiaDriverRoot(): string {
    return this.resolved.nvidiaDriverRoot;
  }
  /** Whether containers get GPUDirect Storage. */
  public get gdsEnabled(): boolean {
    return this.resolved.gdsEnabled;
  }
  /** Whether containers get Mellanox OFED. */
  public get mofedEnabled(): boolean {
    return this.resolved.mofedEnabled;
  }
  /** Whether containers get GDRCopy. */
  public get gdrcopyEnabled(): boolean {
    return this.resolved.gdrcopyEnabled;
  }
  /** Allocation policy for shared replicas. */
  public get sharedAllocationPolicy(): SharedAllocationPolicy {
    return this.resolved.sharedAllocationPolicy;
  }
  /** Time-slicing settings, if any. */
  public get timeSlicing(): SharingOptions | undefined {
    return this.resolved.timeSlicing;
  }
  /** MPS settings, if any. */
  public get mps(): SharingOptions | undefined {
    return this.resolved.mps;
  }
  /** MPS root directory on the host. */
  public get mpsRoot(): string {
    return this.resolved.mpsRoot;
  }

  /**
   * The props that give this config again, as one object: GpuOperatorStack passes a config to
   * GpuDevicePlugin with it. Every prop is listed (the compiler checks it), defaults resolved.
   */
  public toProps(): DevicePluginConfigProps {
    return propsOf(this);
  }

  /** True when time-slicing or MPS shares at least one resource. */
  public get sharesDevices(): boolean {
    return (this.timeSlicing?.resources.length ?? 0) + (this.mps?.resources.length ?? 0) > 0;
  }

  /** True when any device list strategy needs CDI specs on the host. */
  public get usesCdi(): boolean {
    return this.deviceListStrategy.some(
      (s) => s === DeviceListStrategy.CDI_ANNOTATIONS || s === DeviceListStrategy.CDI_CRI,
    );
  }

  /**
   * The config file as a plain object, keys in NVIDIA's order. Deterministic: the same
   * props always give the same object.
   */
  public toJson(): any {
    const write = (nodes: ConfigFileNode[]): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const node of nodes) {
        if (node.children) {
          const section = write(node.children);
          if (Object.keys(section).length > 0) out[node.key] = section;
        } else if (this.writes(node.prop!)) {
          out[node.key] = WRITE_FORM[CONFIG_FILE_LAYOUT[node.prop!].form ?? 'value'](this.resolved[node.prop!]);
        }
      }
      return out;
    };
    return { version: 'v1', ...write(configFileTree(CONFIG_FILE_LAYOUT)) };
  }

  /** The config file as YAML text (what the ConfigMap holds). */
  public toYaml(): string {
    return Yaml.stringify(this.toJson());
  }

  /**
   * The resource names that nodes will advertise with this config, not counting MIG
   * profiles (those depend on the hardware).
   */
  public advertisedSharedResourceNames(): string[] {
    const names: string[] = [];
    for (const opts of [this.timeSlicing, this.mps]) {
      if (!opts) continue;
      for (const r of opts.resources) {
        names.push(sharedName(r, opts.renameByDefault ?? false));
      }
    }
    return names;
  }

  /** Whether the file has this prop, by its CONFIG_FILE_LAYOUT condition. */
  private writes(prop: ConfigKey): boolean {
    const when: ConfigFileCondition = CONFIG_FILE_LAYOUT[prop].written;
    if (when === 'always') return true;
    if (when === 'ifTrue') return this.resolved[prop] === true;
    return when.ifSet.some((key) => this.resolved[key] !== undefined);
  }

  private validate(): void {
    // A jsii caller (Python, Java) can pass any string where TypeScript needs an enum member.
    requireOneOf('migStrategy', this.migStrategy, MigStrategy);
    requireOneOf('deviceIdStrategy', this.deviceIdStrategy, DeviceIdStrategy);
    requireOneOf('sharedAllocationPolicy', this.sharedAllocationPolicy, SharedAllocationPolicy);
    if (!Array.isArray(this.deviceListStrategy)) {
      throw new Error(
        `deviceListStrategy must be a list of strategies, e.g. [DeviceListStrategy.ENVVAR] (got ${JSON.stringify(this.deviceListStrategy)})`,
      );
    }
    this.deviceListStrategy.forEach((s, i) => requireOneOf(`deviceListStrategy[${i}]`, s, DeviceListStrategy));
    if (this.deviceListStrategy.length === 0) {
      throw new Error('deviceListStrategy must name at least one strategy (got an empty list)');
    }
    const seen = new Set<string>();
    for (const s of this.deviceListStrategy) {
      if (seen.has(s)) {
        throw new Error(`deviceListStrategy lists "${s}" twice; list each strategy once`);
      }
      seen.add(s);
    }
    for (const [field, value] of [
      ['nvidiaDriverRoot', this.nvidiaDriverRoot],
      ['mpsRoot', this.mpsRoot],
    ] as const) {
      // A chart value is checked by the chart's values.schema.json when Helm renders it.
      requireAbsolutePath(field, value);
    }
    if (this.mps && this.migStrategy === MigStrategy.MIXED) {
      throw new Error(
        'mps cannot be combined with migStrategy "mixed" (NVIDIA MPS sharing does not support it); use migStrategy "none" or "single", or time-slicing',
      );
    }
    this.validateSharing('timeSlicing', this.timeSlicing);
    this.validateSharing('mps', this.mps);
    const names = this.advertisedSharedResourceNames();
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) {
      throw new Error(`two shared resources would both be advertised as "${dup}"; give one of them a different rename`);
    }
  }

  private validateSharing(field: string, opts: SharingOptions | undefined): void {
    if (!opts) return;
    requireKnownKeys(field, opts, 'SharingOptions', SHARING_OPTIONS_KEYS);
    if (opts.resources.length === 0) {
      throw new Error(`${field}.resources must list at least one resource to share (got an empty list)`);
    }
    opts.resources.forEach((r, i) => {
      const at = `${field}.resources[${i}]`;
      requireKnownKeys(at, r, 'SharedResource', SHARED_RESOURCE_KEYS);
      if (!Number.isInteger(r.replicas) || r.replicas < 2) {
        throw new Error(
          `${at}.replicas must be a whole number ≥ 2 (got ${r.replicas}); remove the entry to stop sharing`,
        );
      }
      const resource = r.resource ?? GpuResource.NVIDIA_GPU;
      if (!resource.name.startsWith(RESOURCE_PREFIX)) {
        throw new Error(`${at}.resource must be an NVIDIA resource (nvidia.com/…) (got "${resource.name}")`);
      }
      if (resource.isMig && this.migStrategy !== MigStrategy.MIXED) {
        throw new Error(
          `${at}.resource "${resource.name}" is a MIG resource, which exists only with migStrategy "mixed" (got "${this.migStrategy}")`,
        );
      }
      if (r.rename !== undefined && (!RENAME_RE.test(r.rename) || r.rename.length > 63)) {
        throw new Error(
          `${at}.rename must be a resource name without "nvidia.com/", lower case, ≤ 63 characters (got "${r.rename}")`,
        );
      }
      for (const d of r.devices ?? []) {
        if (!DEVICE_REF_RE.test(d)) {
          throw new Error(
            `${at}.devices entries must be GPU indices ("0"), MIG indices ("1:0") or UUIDs ("GPU-…", "MIG-…") (got "${d}")`,
          );
        }
      }
    });
  }
}

function sharedName(r: SharedResource, renameByDefault: boolean): string {
  if (r.rename) return `${RESOURCE_PREFIX}${r.rename}`;
  const base = (r.resource ?? GpuResource.NVIDIA_GPU).name;
  return renameByDefault ? `${base}.shared` : base;
}

function renderSharing(opts: SharingOptions, mps: boolean): Record<string, unknown> {
  return {
    renameByDefault: opts.renameByDefault ?? false,
    failRequestsGreaterThanOne: opts.failRequestsGreaterThanOne ?? mps,
    resources: opts.resources.map((r) => {
      const entry: Record<string, unknown> = { name: (r.resource ?? GpuResource.NVIDIA_GPU).name };
      if (r.rename) entry.rename = r.rename;
      entry.devices = r.devices && r.devices.length > 0 ? [...r.devices] : 'all';
      entry.replicas = r.replicas;
      return entry;
    }),
  };
}
