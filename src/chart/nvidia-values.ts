import { JsonSchema } from './values-model';

/**
 * Every top-level value of NVIDIA's nvidia-device-plugin chart (v0.20.0,
 * deployments/helm/nvidia-device-plugin/values.yaml) and what this chart does with it. The
 * README's "Coming from NVIDIA's chart" table, the schema entries of NVIDIA's names and the
 * template checks that refuse them are all written from this list; a test holds it to
 * NVIDIA's values.yaml key for key.
 */
export interface NvidiaValue {
  /** NVIDIA's top-level key. */
  readonly key: string;
  /** This chart's key(s) for the same thing, as the README shows them; undefined when there is none. */
  readonly ours?: string;
  /** True when this chart has a key of the same name and meaning (no check needed). */
  readonly same?: boolean;
  /** What to do instead (refusal text and README note). */
  readonly note: string;
}

export const NVIDIA_VALUES: NvidiaValue[] = [
  {
    key: 'config',
    ours: 'config.map, config.name, config.default, config.fallbackStrategies',
    same: true,
    note: "named configs picked per node by the label nvidia.com/device-plugin.config, as NVIDIA's: config.name, config.default and config.fallbackStrategies are the same; each config.map entry is a typed config (migStrategy, timeSlicing, … as the top-level values, which it overrides key by key) instead of a config file as text; MPS in named configs is not supported yet",
  },
  {
    key: 'compatWithCPUManager',
    ours: 'passDeviceSpecs',
    note: 'set passDeviceSpecs=true (device specs for the static CPU manager policy; makes the container privileged)',
  },
  {
    key: 'migStrategy',
    ours: 'migStrategy',
    same: true,
    note: 'same values (none, single, mixed); default none instead of null',
  },
  { key: 'failOnInitError', ours: 'failOnInitError', same: true, note: 'same meaning; default true' },
  {
    key: 'deviceListStrategy',
    ours: 'deviceListStrategy',
    same: true,
    note: "a list here, e.g. [envvar] or [cdi-annotations, cdi-cri]; NVIDIA's comma-separated string is refused with the list to write instead",
  },
  {
    key: 'deviceIDStrategy',
    ours: 'deviceIdStrategy',
    note: 'set deviceIdStrategy (uuid or index); note the spelling Id',
  },
  { key: 'nvidiaDriverRoot', ours: 'nvidiaDriverRoot', same: true, note: 'same meaning; default /' },
  { key: 'gdrcopyEnabled', ours: 'gdrcopyEnabled', same: true, note: 'same meaning; default false' },
  { key: 'gdsEnabled', ours: 'gdsEnabled', same: true, note: 'same meaning; default false' },
  { key: 'mofedEnabled', ours: 'mofedEnabled', same: true, note: 'same meaning; default false' },
  {
    key: 'deviceDiscoveryStrategy',
    note: "not supported: this project's plugin always discovers devices through NVML (Tegra-only nodes are not supported); with NVIDIA's image, extraEnv.DEVICE_DISCOVERY_STRATEGY still reaches it",
  },
  { key: 'nameOverride', ours: 'nameOverride', same: true, note: 'same meaning' },
  { key: 'fullnameOverride', ours: 'fullnameOverride', same: true, note: 'same meaning' },
  {
    key: 'namespaceOverride',
    ours: 'namespace.name',
    note: 'set namespace.name (and namespace.create=false to use an existing namespace)',
  },
  {
    key: 'selectorLabelsOverride',
    note: "not supported: the DaemonSet selects its pods by the construct's app.kubernetes.io/name and instance labels, so Helm and cdk8s synth give the same objects",
  },
  {
    key: 'allowDefaultNamespace',
    note: 'not needed: the objects go to namespace.name (default gpu-device-plugin), not to the release namespace, unless namespace.name is set empty',
  },
  { key: 'imagePullSecrets', ours: 'imagePullSecrets', same: true, note: 'same shape: [{name: regcred}]' },
  {
    key: 'image',
    ours: 'image',
    same: true,
    note: "repository, pullPolicy and tag as NVIDIA's (tag defaults to this project's release, never empty or latest without a digest), plus image.digest and image.kind (inferred from the repository)",
  },
  {
    key: 'updateStrategy',
    ours: 'updateStrategy',
    same: true,
    note: "type as NVIDIA's, plus updateStrategy.maxUnavailable",
  },
  { key: 'podAnnotations', ours: 'podAnnotations', same: true, note: 'same meaning' },
  { key: 'podSecurityContext', ours: 'podSecurityContext', same: true, note: 'same meaning' },
  {
    key: 'securityContext',
    ours: 'securityContext',
    same: true,
    note: 'same meaning: replaces the generated container security context (empty keeps it)',
  },
  { key: 'resources', ours: 'resources', same: true, note: 'same shape; limits.memory is required (default 192Mi)' },
  { key: 'nodeSelector', ours: 'nodeSelector', same: true, note: 'same meaning' },
  {
    key: 'affinity',
    ours: 'affinity',
    same: true,
    note: 'same meaning; the default also matches NVIDIA CPUs (Grace) and nvidia.com/gpu.present=true',
  },
  { key: 'tolerations', ours: 'tolerations', same: true, note: 'same meaning' },
  {
    key: 'priorityClassName',
    ours: 'priorityClassName',
    same: true,
    note: 'same meaning; default system-node-critical',
  },
  {
    key: 'runtimeClassName',
    ours: 'runtimeClassName',
    same: true,
    note: 'same meaning; empty instead of null for the default runtime',
  },
  {
    key: 'devicePlugin',
    ours: 'hostNetwork',
    note: 'devicePlugin.enableHostNetwork is hostNetwork here; the device plugin is the whole chart, so devicePlugin.enabled has no counterpart',
  },
  {
    key: 'gfd',
    ours: 'gfd.enabled',
    same: true,
    note: "gfd.enabled: this project's plugin writes GPU Feature Discovery's labels itself (no separate GFD container) into NFD's local feature file; NFD turns them into node labels; NVIDIA's other gfd.* keys do not apply",
  },
  {
    key: 'nfd',
    note: 'not supported: deploy Node Feature Discovery with the GPU Operator (GpuOperatorStack) or its own chart; the default affinity reads its labels',
  },
  {
    key: 'mps',
    ours: 'mps',
    same: true,
    note: "mps.root is the same; MPS sharing itself is mps.enabled and mps.resources here (NVIDIA's sharing.mps of the config)",
  },
  {
    key: 'cdi',
    note: 'not supported: cdi.nvidiaHookPath has no counterpart; CDI device names reach the runtime with deviceListStrategy cdi-annotations or cdi-cri (the chart then mounts /var/run/cdi)',
  },
];

/** NVIDIA's keys this chart does not have (same name and meaning excluded). */
export function foreignNvidiaValues(): NvidiaValue[] {
  return NVIDIA_VALUES.filter((v) => !v.same);
}

/**
 * Schema entries for NVIDIA's keys: any value passes the schema, so the template check
 * (which names this chart's key) is the error users see instead of "additional properties
 * 'compatWithCPUManager' not allowed".
 */
export function nvidiaValuesSchema(): Record<string, JsonSchema> {
  return Object.fromEntries(
    foreignNvidiaValues().map((v) => [
      v.key,
      {
        description: `NVIDIA's chart value, refused with a hint: ${v.note}.`,
        // An annotation only: tools (and the fuzzer) leave deprecated keys out of what they suggest.
        deprecated: true,
      },
    ]),
  );
}

/** The check that refuses NVIDIA's keys with the key to use instead. */
export function nvidiaValuesCheckTemplate(): string {
  return foreignNvidiaValues()
    .map(
      (v) => `{{- if hasKey .Values ${JSON.stringify(v.key)} }}
{{- fail ${JSON.stringify(`${v.key} is a value of NVIDIA's nvidia-device-plugin chart, not of this one: ${v.note}`)} }}
{{- end }}`,
    )
    .join('\n');
}

/** The README section "Coming from NVIDIA's chart". */
export function nvidiaMigrationSection(): string {
  const rows = NVIDIA_VALUES.map(
    (v) =>
      `| \`${v.key}\` | ${
        v.ours
          ? v.ours
              .split(', ')
              .map((o) => `\`${o}\``)
              .join(', ')
          : 'not supported'
      } | ${v.note.replace(/\|/g, '\\|')} |`,
  );
  return `## Coming from NVIDIA's chart

Every top-level value of NVIDIA's \`nvidia-device-plugin\` chart (v0.20.0) and its counterpart here.
NVIDIA's names that differ are refused by \`helm template\`/\`helm install\` with a message that names the key to use.

| NVIDIA's value | This chart | Notes |
|----------------|------------|-------|
${rows.join('\n')}
`;
}
