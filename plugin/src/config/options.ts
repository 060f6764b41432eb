/**
 * Every option of the plugin in one table: its flags (NVIDIA's names and aliases),
 * env vars, default, config-file path and one line of meaning. argv.ts, load.ts and
 * help.ts all read this table, so a flag cannot exist without its help line.
 *
 * The table is also the one declaration of each option's type: `Settings` (below) is
 * derived from it, and the config-file mapping (file.ts) from each `filePath`, which must name a
 * field of the file schema (schema.ts) whose value fits the option (the compiler checks both).
 */
import type { ConfigFileShape } from './schema.js';
import {
  ALLOCATION_POLICIES,
  DEVICE_ID_STRATEGIES,
  DISCOVERY_STRATEGIES,
  LOG_LEVELS,
  MIG_STRATEGIES,
  RULES,
  requireAbsolutePath,
  requireDeviceListStrategies,
  requireConfigName,
  requireNonEmpty,
  FALLBACK_STRATEGIES,
  parseBool,
  parseFallbackStrategies,
  parseEnum,
  parseImexChannelIDs,
  parseWholeNumber,
  parseList,
} from './rules.js';

export type OptionGroup = 'nvidia' | 'own';

/** `[path, value]` for every field of the config file, e.g. `['flags.plugin.passDeviceSpecs', boolean]`. */
type FileFields<T, P extends string = ''> = T extends readonly unknown[] | string | number | boolean
  ? [P, T]
  : T extends object
    ? { [K in keyof T & string]-?: FileFields<NonNullable<T[K]>, P extends '' ? K : `${P}.${K}`> }[keyof T & string]
    : [P, T];

/** The config-file paths whose value an option of type T can take. */
export type FilePathFor<T> = Extract<FileFields<ConfigFileShape>, [string, T]>[0];

export interface OptionSpec<K extends string = string, T = unknown, P extends string = string> {
  key: K;
  /** Long flag names without dashes; the first is the main name, the rest are aliases. */
  flags: readonly string[];
  /** Env vars, first found wins (as urfave/cli reads them). */
  env: readonly string[];
  group: OptionGroup;
  /** A boolean flag may be given bare (`--flag`) or as `--flag=true|false`. */
  bool?: boolean;
  /** Repeated flags accumulate (`--device-list-strategy a --device-list-strategy b`). */
  list?: boolean;
  /** Placeholder shown in --help for the value. */
  valueName?: string;
  /** Reads a flag or env value; the option's type is what this returns. */
  parse: (text: string) => T;
  defaultValue: NoInfer<T>;
  /** The default as --help prints it. */
  defaultText: string;
  /** Dotted path in the config file, when the file can set it: a field of schema.ts whose value fits T (option() checks it). */
  filePath?: P;
  help: string;
}

/** Declares one option; K, T and P are inferred from `key`, `parse` and `filePath`, and checked against the rest. */
function option<K extends string, T, P extends FilePathFor<T> = never>(spec: OptionSpec<K, T, P>): OptionSpec<K, T, P> {
  return spec;
}

const text = (value: string): string => value;
const list = (value: string): string[] => parseList(value);
/** An option whose default is "not set". */
const unsetUnless =
  <T>(parse: (text: string) => T) =>
  (value: string): T | undefined =>
    parse(value);

export const OPTIONS = [
  option({
    key: 'migStrategy',
    flags: ['mig-strategy'],
    env: ['MIG_STRATEGY'],
    group: 'nvidia',
    valueName: MIG_STRATEGIES.join('|'),
    parse: parseEnum(MIG_STRATEGIES, RULES.migStrategy),
    defaultValue: 'none',
    defaultText: 'none',
    filePath: 'flags.migStrategy',
    help: 'how MIG devices are advertised: ignored (none), as nvidia.com/gpu (single) or per profile (mixed)',
  }),
  option({
    key: 'failOnInitError',
    flags: ['fail-on-init-error'],
    env: ['FAIL_ON_INIT_ERROR'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: true,
    defaultText: 'true',
    filePath: 'flags.failOnInitError',
    help: 'exit when NVML cannot start; false = idle on nodes without GPUs instead of crash-looping',
  }),
  option({
    key: 'nvidiaDriverRoot',
    flags: ['driver-root', 'nvidia-driver-root'],
    env: ['NVIDIA_DRIVER_ROOT'],
    group: 'nvidia',
    valueName: 'path',
    parse: requireAbsolutePath,
    defaultValue: '/',
    defaultText: '/',
    filePath: 'flags.nvidiaDriverRoot',
    help: 'root of the NVIDIA driver installation on the host (/ or /run/nvidia/driver)',
  }),
  option({
    key: 'nvidiaDevRoot',
    flags: ['dev-root', 'nvidia-dev-root'],
    env: ['NVIDIA_DEV_ROOT'],
    group: 'nvidia',
    valueName: 'path',
    parse: unsetUnless(requireAbsolutePath),
    defaultValue: undefined,
    defaultText: 'the driver root',
    filePath: 'flags.nvidiaDevRoot',
    help: 'root of the NVIDIA device nodes (/dev/nvidia*) on the host',
  }),
  option({
    key: 'passDeviceSpecs',
    flags: ['pass-device-specs'],
    env: ['PASS_DEVICE_SPECS'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: false,
    defaultText: 'false',
    filePath: 'flags.plugin.passDeviceSpecs',
    help: 'also return the /dev/nvidia* device nodes in Allocate (for the CPU manager; needs privileged)',
  }),
  option({
    key: 'deviceListStrategy',
    flags: ['device-list-strategy'],
    env: ['DEVICE_LIST_STRATEGY'],
    group: 'nvidia',
    list: true,
    valueName: 'envvar,volume-mounts,cdi-annotations,cdi-cri',
    parse: (value) => requireDeviceListStrategies(parseList(value)),
    defaultValue: ['envvar'],
    defaultText: 'envvar',
    filePath: 'flags.plugin.deviceListStrategy',
    help: 'how allocated devices reach the container runtime (comma list or repeated flag)',
  }),
  option({
    key: 'deviceIDStrategy',
    flags: ['device-id-strategy'],
    env: ['DEVICE_ID_STRATEGY'],
    group: 'nvidia',
    valueName: DEVICE_ID_STRATEGIES.join('|'),
    parse: parseEnum(DEVICE_ID_STRATEGIES, RULES.deviceIDStrategy),
    defaultValue: 'uuid',
    defaultText: 'uuid',
    filePath: 'flags.plugin.deviceIDStrategy',
    help: 'whether devices are passed to the runtime by UUID or by index',
  }),
  option({
    key: 'gdrcopyEnabled',
    flags: ['gdrcopy-enabled'],
    env: ['GDRCOPY_ENABLED'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: false,
    defaultText: 'false',
    filePath: 'flags.gdrcopyEnabled',
    help: 'start containers with NVIDIA_GDRCOPY=enabled (GDRCopy support)',
  }),
  option({
    key: 'gdsEnabled',
    flags: ['gds-enabled'],
    env: ['GDS_ENABLED'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: false,
    defaultText: 'false',
    filePath: 'flags.gdsEnabled',
    help: 'start containers with NVIDIA_GDS=enabled (GPUDirect Storage support)',
  }),
  option({
    key: 'mofedEnabled',
    flags: ['mofed-enabled'],
    env: ['MOFED_ENABLED'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: false,
    defaultText: 'false',
    filePath: 'flags.mofedEnabled',
    help: 'start containers with NVIDIA_MOFED=enabled (MOFED support)',
  }),
  option({
    key: 'kubeletSocket',
    flags: ['kubelet-socket'],
    env: ['KUBELET_SOCKET'],
    group: 'nvidia',
    valueName: 'path',
    parse: text,
    defaultValue: 'kubelet.sock',
    defaultText: 'kubelet.sock',
    filePath: 'flags.plugin.kubeletSocket',
    help: 'kubelet registration socket, relative to --device-plugin-path or absolute; empty (--kubelet-socket=) = do not register',
  }),
  option({
    key: 'configFile',
    flags: ['config-file'],
    env: ['CONFIG_FILE'],
    group: 'nvidia',
    valueName: 'path',
    parse: unsetUnless(requireNonEmpty),
    defaultValue: undefined,
    defaultText: 'none',
    help: "NVIDIA's version: v1 config file (YAML or JSON); reloaded on SIGHUP",
  }),
  option({
    key: 'configDir',
    flags: ['config-dir', 'config-file-srcdir'],
    env: ['CONFIG_DIR', 'CONFIG_FILE_SRCDIR'],
    group: 'nvidia',
    valueName: 'dir',
    parse: unsetUnless(requireAbsolutePath),
    defaultValue: undefined,
    defaultText: 'none',
    help: "directory of named configs (one v1 config file per name, e.g. a mounted ConfigMap); the node label --node-label selects one, applied without a restart (NVIDIA's config-manager, built in); not with --config-file",
  }),
  option({
    key: 'defaultConfig',
    flags: ['default-config'],
    env: ['DEFAULT_CONFIG'],
    group: 'nvidia',
    valueName: 'name',
    parse: unsetUnless(requireConfigName),
    defaultValue: undefined,
    defaultText: 'none',
    help: 'with --config-dir: the config used while the node has no config label (or names a config that does not exist)',
  }),
  option({
    key: 'fallbackStrategies',
    flags: ['fallback-strategies'],
    env: ['FALLBACK_STRATEGIES'],
    group: 'nvidia',
    list: true,
    valueName: FALLBACK_STRATEGIES.join(','),
    parse: parseFallbackStrategies,
    defaultValue: ['named', 'single'],
    defaultText: 'named,single',
    help: 'with --config-dir and no --default-config, tried in order: named = the config called "default", single = the only config, empty = built-in defaults',
  }),
  option({
    key: 'nodeName',
    flags: ['node-name'],
    env: ['NODE_NAME'],
    group: 'nvidia',
    valueName: 'name',
    parse: unsetUnless(requireNonEmpty),
    defaultValue: undefined,
    defaultText: 'none',
    help: "this node's name (the downward API's spec.nodeName); required with --config-dir: only this Node object is read and watched",
  }),
  option({
    key: 'nodeLabel',
    flags: ['node-label'],
    env: ['NODE_LABEL'],
    group: 'nvidia',
    valueName: 'key',
    parse: requireNonEmpty,
    defaultValue: 'nvidia.com/device-plugin.config',
    defaultText: 'nvidia.com/device-plugin.config',
    help: 'with --config-dir: the node label whose value names the config to use',
  }),
  option({
    key: 'kubeconfig',
    flags: ['kubeconfig'],
    env: ['KUBECONFIG'],
    group: 'nvidia',
    valueName: 'path',
    parse: unsetUnless(requireNonEmpty),
    defaultValue: undefined,
    defaultText: 'in-cluster service account',
    help: 'with --config-dir: kubeconfig to reach the Kubernetes API from outside a cluster; in a pod the service account is used',
  }),
  option({
    key: 'cdiAnnotationPrefix',
    flags: ['cdi-annotation-prefix'],
    env: ['CDI_ANNOTATION_PREFIX'],
    group: 'nvidia',
    valueName: 'prefix',
    parse: requireNonEmpty,
    defaultValue: 'cdi.k8s.io/',
    defaultText: 'cdi.k8s.io/',
    filePath: 'flags.plugin.cdiAnnotationPrefix',
    help: 'prefix of the CDI annotation keys (cdi-annotations strategy)',
  }),
  option({
    key: 'nvidiaCTKPath',
    flags: ['nvidia-cdi-hook-path', 'nvidia-ctk-path'],
    env: ['NVIDIA_CDI_HOOK_PATH', 'NVIDIA_CTK_PATH'],
    group: 'nvidia',
    valueName: 'path',
    parse: requireNonEmpty,
    defaultValue: '/usr/bin/nvidia-ctk',
    defaultText: '/usr/bin/nvidia-ctk',
    filePath: 'flags.plugin.nvidiaCTKPath',
    help: 'path of the NVIDIA CDI hook (nvidia-ctk) named in CDI specs',
  }),
  option({
    key: 'containerDriverRoot',
    flags: ['driver-root-ctr-path', 'container-driver-root'],
    env: ['DRIVER_ROOT_CTR_PATH', 'CONTAINER_DRIVER_ROOT'],
    group: 'nvidia',
    valueName: 'path',
    parse: requireNonEmpty,
    defaultValue: '/driver-root',
    defaultText: '/driver-root',
    filePath: 'flags.plugin.containerDriverRoot',
    help: 'where the driver root is mounted inside this container',
  }),
  option({
    key: 'mpsRoot',
    flags: ['mps-root'],
    env: ['MPS_ROOT'],
    group: 'nvidia',
    valueName: 'path',
    parse: requireAbsolutePath,
    defaultValue: '',
    defaultText: 'none',
    filePath: 'flags.mpsRoot',
    help: 'host directory of the MPS control daemon pipes and shm (required for MPS sharing)',
  }),
  option({
    key: 'deviceDiscoveryStrategy',
    flags: ['device-discovery-strategy'],
    env: ['DEVICE_DISCOVERY_STRATEGY'],
    group: 'nvidia',
    valueName: DISCOVERY_STRATEGIES.join('|'),
    parse: parseEnum(DISCOVERY_STRATEGIES, RULES.discoveryStrategy),
    defaultValue: 'auto',
    defaultText: 'auto',
    filePath: 'flags.deviceDiscoveryStrategy',
    help: 'how GPUs are found (this plugin always uses NVML)',
  }),
  option({
    key: 'imexChannelIDs',
    flags: ['imex-channel-ids'],
    env: ['IMEX_CHANNEL_IDS'],
    group: 'nvidia',
    list: true,
    valueName: 'ids',
    parse: parseImexChannelIDs,
    defaultValue: [],
    defaultText: 'none',
    filePath: 'imex.channelIDs',
    help: 'IMEX channels injected into containers: none or 0',
  }),
  option({
    key: 'imexRequired',
    flags: ['imex-required'],
    env: ['IMEX_REQUIRED'],
    group: 'nvidia',
    bool: true,
    parse: parseBool,
    defaultValue: false,
    defaultText: 'false',
    filePath: 'imex.required',
    help: 'fail at start when a requested IMEX channel device node is missing',
  }),
  option({
    key: 'sharedDevicesAllocationPolicy',
    flags: ['shared-devices-allocation-policy'],
    env: ['SHARED_DEVICES_ALLOCATION_POLICY'],
    group: 'nvidia',
    valueName: ALLOCATION_POLICIES.join('|'),
    parse: parseEnum(ALLOCATION_POLICIES, RULES.allocationPolicy),
    defaultValue: 'distributed',
    defaultText: 'distributed',
    filePath: 'flags.plugin.sharedDevicesAllocationPolicy',
    help: 'which GPUs shared replicas come from: spread over GPUs (distributed) or filling one first (packed)',
  }),
  option({
    key: 'cdiFeatureFlags',
    flags: ['cdi-feature-flags'],
    env: ['CDI_FEATURE_FLAGS'],
    group: 'nvidia',
    list: true,
    valueName: 'flags',
    parse: list,
    defaultValue: [],
    defaultText: 'none',
    filePath: 'flags.plugin.cdiFeatureFlags',
    help: 'accepted for compatibility; no feature flag changes the CDI spec this plugin writes',
  }),
  option({
    key: 'cdiDisableHooks',
    flags: ['cdi-disable-hooks'],
    env: ['CDI_DISABLE_HOOKS'],
    group: 'nvidia',
    list: true,
    valueName: 'hooks',
    parse: list,
    defaultValue: [],
    defaultText: 'none',
    help: 'hooks left out of the CDI spec (e.g. update-ldcache, or all)',
  }),
  option({
    key: 'cdiRoot',
    flags: ['cdi-root'],
    env: ['CDI_ROOT'],
    group: 'own',
    valueName: 'dir',
    parse: requireAbsolutePath,
    defaultValue: '/var/run/cdi',
    defaultText: '/var/run/cdi',
    help: 'directory the CDI spec is written to (cdi-annotations and cdi-cri strategies); removed on a clean stop',
  }),
  option({
    key: 'gfdOutputFile',
    flags: ['gfd-output-file'],
    env: ['GFD_OUTPUT_FILE'],
    group: 'own',
    valueName: 'path',
    parse: requireAbsolutePath,
    defaultValue: '',
    defaultText: 'none',
    help: 'write GPU Feature Discovery labels to this NFD local feature file (e.g. /etc/kubernetes/node-feature-discovery/features.d/gfd)',
  }),
  option({
    key: 'gfdMachineTypeFile',
    flags: ['machine-type-file'],
    env: ['GFD_MACHINE_TYPE_FILE'],
    group: 'own',
    valueName: 'path',
    parse: requireAbsolutePath,
    defaultValue: '/sys/class/dmi/id/product_name',
    defaultText: '/sys/class/dmi/id/product_name',
    help: 'DMI product name file read for the nvidia.com/gpu.machine label',
  }),
  option({
    key: 'devicePluginPath',
    flags: ['device-plugin-path'],
    env: ['DEVICE_PLUGIN_PATH'],
    group: 'own',
    valueName: 'dir',
    parse: requireAbsolutePath,
    defaultValue: '/var/lib/kubelet/device-plugins',
    defaultText: '/var/lib/kubelet/device-plugins',
    help: "directory of kubelet.sock and of this plugin's sockets",
  }),
  option({
    key: 'nvmlLibrary',
    flags: ['nvml-library-path'],
    env: ['NVML_LIBRARY_PATH'],
    group: 'own',
    valueName: 'path',
    parse: requireNonEmpty,
    defaultValue: 'libnvidia-ml.so.1',
    defaultText: 'libnvidia-ml.so.1',
    help: "NVML library; a bare name is looked up under the driver root's usual lib directories",
  }),
  option({
    key: 'metricsPort',
    flags: ['metrics-port'],
    env: ['METRICS_PORT'],
    group: 'own',
    valueName: 'port',
    parse: parseWholeNumber(RULES.port, 65535),
    defaultValue: 8080,
    defaultText: '8080',
    help: 'port of /healthz, /readyz and /metrics; 0 = off',
  }),
  option({
    key: 'metricsBindAddress',
    flags: ['metrics-bind-address'],
    env: ['METRICS_BIND_ADDRESS'],
    group: 'own',
    valueName: 'address',
    parse: requireNonEmpty,
    defaultValue: '0.0.0.0',
    defaultText: '0.0.0.0',
    help: 'address the metrics and probe endpoints listen on',
  }),
  option({
    key: 'logLevel',
    flags: ['log-level'],
    env: ['LOG_LEVEL'],
    group: 'own',
    valueName: LOG_LEVELS.join('|'),
    parse: parseEnum(LOG_LEVELS, RULES.logLevel),
    defaultValue: 'info',
    defaultText: 'info',
    help: 'least severe level of the JSON log lines written',
  }),
  option({
    key: 'healthRecoverySeconds',
    flags: ['health-recovery-seconds'],
    env: ['HEALTH_RECOVERY_SECONDS'],
    group: 'own',
    valueName: 'seconds',
    parse: parseWholeNumber(RULES.seconds),
    defaultValue: 60,
    defaultText: '60',
    help: "a GPU marked unhealthy by a recoverable XID is healthy again after this long without errors; 0 = never (NVIDIA's behaviour); XID 79 never recovers",
  }),
  option({
    key: 'lostGpuCheckMs',
    flags: ['lost-gpu-check-ms'],
    env: ['LOST_GPU_CHECK_MS'],
    group: 'own',
    valueName: 'ms',
    parse: parseWholeNumber(RULES.milliseconds),
    defaultValue: 10000,
    defaultText: '10000',
    help: "every this many ms, one cheap NVML call per GPU; a GPU that NVML reports lost (GPU_IS_LOST, no XID needed) is Unhealthy within about this long, for good; 0 = off (NVIDIA's behaviour)",
  }),
] as const;

/** Any option of the table, with its own key and type. */
export type AnyOption = (typeof OPTIONS)[number];
/** The value type of an option. */
export type OptionValue<O> = O extends OptionSpec<string, infer T, string> ? T : never;

/**
 * The flat view of every option that a flag, an env var or the config file can set, keyed the
 * same way in each source so that precedence is a plain per-key merge; load.ts folds the merged
 * settings into the nested PluginConfig. Derived from the table, never written out: an option's
 * type is what its `parse` returns (`nvidiaDevRoot` and `configFile` are undefined when not set).
 */
export type Settings = { -readonly [O in AnyOption as O['key']]: OptionValue<O> };
export type SettingKey = keyof Settings;

/**
 * Options the config file can set that the PluginConfig does not keep in the file's section:
 * kubeletSocket goes to `runtime`, the other two are accepted for compatibility and unused.
 */
export const KEPT_OUT_OF_FILE_SECTIONS = ['kubeletSocket', 'cdiFeatureFlags', 'deviceDiscoveryStrategy'] as const;
type KeptOut = (typeof KEPT_OUT_OF_FILE_SECTIONS)[number];

/**
 * One section of the PluginConfig that mirrors the file (`flags.`, `flags.plugin.`, `imex.`):
 * every option whose filePath is directly below `Prefix`, by its name in the file. Derived, so an
 * option with a filePath reaches the PluginConfig without another declaration.
 */
export type FileSection<Prefix extends string> = {
  -readonly [
    O in AnyOption as O['key'] extends KeptOut
      ? never
      : [NonNullable<O['filePath']>] extends [never]
        ? never
        : NonNullable<O['filePath']> extends `${Prefix}${infer Name}`
          ? Name extends `${string}.${string}`
            ? never
            : Name
          : never
  ]: OptionValue<O>;
};

/** The settings that a file section places (see FileSection). */
export type InFileSection = {
  [
    O in AnyOption as O['key'] extends KeptOut ? never : [NonNullable<O['filePath']>] extends [never] ? never : O['key']
  ]: true;
};

/** The runtime twin of FileSection: the merged settings of one section, by name in the file. */
export function fileSection(settings: Settings, prefix: string): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    if ((KEPT_OUT_OF_FILE_SECTIONS as readonly string[]).includes(spec.key)) continue;
    const name = spec.filePath?.startsWith(prefix) ? spec.filePath.slice(prefix.length) : undefined;
    if (name !== undefined && !name.includes('.')) section[name] = settings[spec.key];
  }
  return section;
}

/** Health-check env vars: NVIDIA reads them from the environment only, so do we. */
export const HEALTH_ENV = {
  disable: 'DP_DISABLE_HEALTHCHECKS',
  enable: 'DP_ENABLE_HEALTHCHECKS',
} as const;

/** The one list of help flags: `-h`, `--h`, `-help`, `--help` (and `--help=true`) all print the help. */
export const HELP_FLAGS: readonly string[] = ['help', 'h'];

/**
 * Whether `arg` is a help flag, and if so whether it asks for help: `--help`, `-h`,
 * `--h`, `-help`, `--help=true` → 'help'; `--help=false` → 'no-help'; anything else →
 * undefined. cli.ts (print the help) and argv.ts (skip the flag) both ask this.
 */
export function helpFlag(arg: string): 'help' | 'no-help' | undefined {
  if (!/^--?[^-]/.test(arg)) return undefined;
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  if (!HELP_FLAGS.includes(name)) return undefined;
  if (eq === -1) return 'help';
  return /^(false|0|f)$/i.test(body.slice(eq + 1).trim()) ? 'no-help' : 'help';
}

const byFlag = new Map<string, AnyOption>();
for (const spec of OPTIONS) for (const flag of spec.flags) byFlag.set(flag, spec);

export function optionForFlag(name: string): AnyOption | undefined {
  return byFlag.get(name);
}

export function allFlagNames(): string[] {
  return [...byFlag.keys()];
}

export function defaultSettings(): Settings {
  const settings: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const value = spec.defaultValue;
    settings[spec.key] = Array.isArray(value) ? [...value] : value;
  }
  return settings as unknown as Settings;
}
