import { ConfigFileCondition, ConfigFileForm, ConfigFileNode, configFileTree } from '../device-plugin/config-file';
import {
  CONFIG_FILE_LAYOUT,
  DeviceListStrategy,
  DevicePluginConfigProps,
  MigStrategy,
} from '../device-plugin/plugin-config';
import { CONFIG_VALUE_KEYS } from './device-plugin-values';
import { CONFIG_PROPS } from './values-props';
/**
 * The named templates that write the plugin's config file (NVIDIA's `version: v1`) from the
 * chart values. The text must equal `DevicePluginConfig.toYaml()` byte for byte: the
 * DaemonSet's `cdk8s-gpu.io/config-sha256` annotation hashes it, and the parity tests
 * compare that annotation too. So the keys and their conditions are written from the same
 * layout as `DevicePluginConfig.toJson()` (CONFIG_FILE_LAYOUT), with the same indentation and
 * quoting as cdk8s' YAML writer (the `yaml` library, YAML 1.1); only the sharing blocks'
 * insides (configSharing) are written by hand.
 */

/**
 * Strings the YAML 1.1 writer quotes because a parser would read them as something else
 * (numbers, sexagesimal numbers like `1:0`, floats like `e1`, booleans, null), within the
 * shapes the schema allows for `rename` and `devices`. A unit test checks this against the
 * writer itself.
 */
export const NEEDS_QUOTES_RE =
  '^([0-9]+|[0-9][0-9_]*(:[0-5]?[0-9])+|([0-9][0-9_]*)?(\\.[0-9_]*)?[eE][-+]?[0-9]+|y|n|yes|no|on|off|true|false|null)$';

/**
 * What the pod needs for one config `$c`, as GpuDevicePlugin decides it. With named configs a
 * node may switch to any of them without a restart, so the pod gets what any of them needs.
 */
export const CONFIG_NEEDS = {
  mig: `ne $c.migStrategy "${MigStrategy.NONE}"`,
  privileged: '$c.passDeviceSpecs',
  sysAdmin: `or (ne $c.migStrategy "${MigStrategy.NONE}") (has "${DeviceListStrategy.VOLUME_MOUNTS}" $c.deviceListStrategy)`,
  cdi: `or (has "${DeviceListStrategy.CDI_ANNOTATIONS}" $c.deviceListStrategy) (has "${DeviceListStrategy.CDI_CRI}" $c.deviceListStrategy)`,
};

/** A condition on what any config the pods may run needs (a key of CONFIG_NEEDS). */
export function needs(chart: string, what: keyof typeof CONFIG_NEEDS): string {
  return `(include "${chart}.needs" . | fromJson).${what}`;
}

/** The named-config helpers, for `templates/_config.tpl`. */
export function namedConfigTemplates(chart: string): string {
  const t = (name: string) => `${chart}.${name}`;
  const keys = CONFIG_VALUE_KEYS.map((k) => `"${k}"`).join(' ');
  const needsInit = Object.keys(CONFIG_NEEDS)
    .map((k) => `"${k}" false`)
    .join(' ');
  const needsSets = Object.entries(CONFIG_NEEDS)
    .map(([k, cond]) => `{{- if ${cond} }}{{ $_ := set $needs "${k}" true }}{{ end }}`)
    .join('\n');
  return `
{{/* Named configs are in use: config.map or config.name is set (non-empty when so). */}}
{{- define "${t('named')}" -}}
{{- if or .Values.config.map .Values.config.name }}true{{ end }}
{{- end }}

{{/* The ConfigMap the pods mount: config.name, else the chart's own. */}}
{{- define "${t('configMapName')}" -}}
{{- default (printf "%s-config" (include "${t('fullname')}" .)) .Values.config.name }}
{{- end }}

{{/*
A config.map entry laid over the top-level config values (argument: list top entry), as JSON:
a key the entry sets replaces the top-level one; groups (timeSlicing, mps) merge key by key.
*/}}
{{- define "${t('mergedConfig')}" -}}
{{- $base := index . 0 }}
{{- $entry := index . 1 | default dict }}
{{- $out := dict }}
{{- range $key := list ${keys} }}
{{- $v := index $base $key }}
{{- if hasKey $entry $key }}
{{- $e := index $entry $key }}
{{- if and (kindIs "map" $v) (kindIs "map" $e) }}
{{- $m := deepCopy $v }}
{{- range $k, $x := $e }}{{ $_ := set $m $k $x }}{{ end }}
{{- $v = $m }}
{{- else }}
{{- $v = $e }}
{{- end }}
{{- end }}
{{- $_ := set $out $key $v }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
Every config the pods may run, as a JSON list of {name, at, config}: each config.map entry
(by name) over the top-level values, or the top-level values alone. "at" prefixes keys in errors.
*/}}
{{- define "${t('configList')}" -}}
{{- $top := pick .Values ${keys} }}
{{- $list := list }}
{{- if .Values.config.map }}
{{- range $name, $entry := .Values.config.map }}
{{- $list = append $list (dict "name" $name "at" (printf "config.map.%s." $name) "config" (include "${t('mergedConfig')}" (list $top $entry) | fromJson)) }}
{{- end }}
{{- else }}
{{- $list = append $list (dict "name" "" "at" "" "config" $top) }}
{{- end }}
{{- toJson $list }}
{{- end }}

{{/* What the pod needs to run any of its configs, as JSON booleans. */}}
{{- define "${t('needs')}" -}}
{{- $needs := dict ${needsInit} }}
{{- range (include "${t('configList')}" . | fromJsonArray) }}
{{- $c := .config }}
${needsSets}
{{- end }}
{{- toJson $needs }}
{{- end }}

{{/* The ConfigMap's data: config.yaml, or one file per named config (by name). */}}
{{- define "${t('configData')}" -}}
{{- if .Values.config.map }}
{{- $data := dict }}
{{- range (include "${t('configList')}" . | fromJsonArray) }}
{{- $_ := set $data .name (include "${t('config')}" .config) }}
{{- end }}
{{- toYaml $data }}
{{- else }}
{{- toYaml (dict "config.yaml" (include "${t('config')}" .Values)) }}
{{- end }}
{{- end }}

{{/* The pods' config hash: of the one file, or of every named file ("--- <name>" and the file, by name). */}}
{{- define "${t('configHash')}" -}}
{{- if .Values.config.map }}
{{- $text := "" }}
{{- range (include "${t('configList')}" . | fromJsonArray) }}
{{- $text = printf "%s--- %s\\n%s" $text .name (include "${t('config')}" .config) }}
{{- end }}
{{- $text | sha256sum }}
{{- else }}
{{- include "${t('config')}" .Values | sha256sum }}
{{- end }}
{{- end }}
`;
}

/**
 * The lines of the config file's sections and keys under `version: v1`, from the layout that
 * toJson() writes (CONFIG_FILE_LAYOUT) and the chart value of each prop (CONFIG_PROPS): a key
 * stands under the condition of its layout entry, a section under any of its keys' conditions.
 */
function configFileLines(chart: string, nodes: ConfigFileNode[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const node of nodes) {
    const conditions = conditionsOf(node);
    const body = node.children
      ? [`${pad}${node.key}:`, ...configFileLines(chart, node.children, indent + 2)]
      : keyLines(chart, node.key, node.prop!, indent);
    if (conditions === undefined) {
      lines.push(...body);
    } else {
      const cond = conditions.length === 1 ? conditions[0] : `or ${conditions.join(' ')}`;
      lines.push(`${pad}{{- if ${cond} }}`, ...body, `${pad}{{- end }}`);
    }
  }
  return lines;
}

/** The template conditions (any of them) under which a key or section is written; undefined for always. */
function conditionsOf(node: ConfigFileNode): string[] | undefined {
  if (node.children) {
    const all = node.children.map(conditionsOf);
    if (all.some((c) => c === undefined)) return undefined;
    return [...new Set(all.flatMap((c) => c!))];
  }
  const prop = node.prop!;
  const when: ConfigFileCondition = CONFIG_FILE_LAYOUT[prop].written;
  if (when === 'always') return undefined;
  if (when === 'ifTrue') return [`.${CONFIG_PROPS[prop].path}`];
  return when.ifSet.map((key) => {
    const setIf = CONFIG_PROPS[key].setIf;
    if (setIf === undefined) {
      throw new Error(
        `CONFIG_FILE_LAYOUT writes ${prop} only when ${key} is set, but CONFIG_PROPS.${key} has no setIf condition; give it one`,
      );
    }
    return `.${setIf}`;
  });
}

/** One key of the file in its form (CONFIG_FILE_LAYOUT's `form`), from its chart value. */
function keyLines(chart: string, key: string, prop: keyof DevicePluginConfigProps, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const value = `.${CONFIG_PROPS[prop].path}`;
  const forms: { readonly [F in ConfigFileForm]: () => string[] } = {
    value: () => [`${pad}${key}: {{ ${value} }}`],
    oneOrList: () => [
      `${pad}{{- if eq (len ${value}) 1 }}`,
      `${pad}${key}: {{ first ${value} }}`,
      `${pad}{{- else }}`,
      `${pad}${key}:`,
      `${pad}  {{- range ${value} }}`,
      `${pad}  - {{ . }}`,
      `${pad}  {{- end }}`,
      `${pad}{{- end }}`,
    ],
    timeSlicing: () => sharing(),
    mps: () => sharing(),
  };
  const sharing = () => [
    `${pad}${key}:`,
    `${pad}  {{- include "${chart}.configSharing" ${value} | nindent ${indent + 2} }}`,
  ];
  const form: ConfigFileForm = CONFIG_FILE_LAYOUT[prop].form ?? 'value';
  return forms[form]();
}

/** The config file and its helpers, for `templates/_config.tpl`. */
export function configTemplates(chart: string): string {
  const t = (name: string) => `${chart}.${name}`;
  const lines = configFileLines(chart, configFileTree(CONFIG_FILE_LAYOUT), 0);
  return `{{/*
The plugin config file, as GpuDevicePlugin writes it (DevicePluginConfig.toYaml()), of one
config's values (the top-level ones, or a merged config.map entry).
Ends with one newline, like the file cdk8s writes, so its sha256 matches too.
*/}}
{{- define "${t('config')}" -}}
version: v1
${lines.join('\n')}
{{ end }}

{{/* One sharing block (timeSlicing or mps) of the config file; the argument is its values. */}}
{{- define "${t('configSharing')}" -}}
renameByDefault: {{ .renameByDefault }}
failRequestsGreaterThanOne: {{ .failRequestsGreaterThanOne }}
resources:
  {{- range .resources }}
  - name: {{ .name }}
    {{- with .rename }}
    rename: {{ include "${t('yamlString')}" . }}
    {{- end }}
    {{- if .devices }}
    devices:
      {{- range .devices }}
      - {{ include "${t('yamlString')}" . }}
      {{- end }}
    {{- else }}
    devices: all
    {{- end }}
    replicas: {{ int64 .replicas }}
  {{- end }}
{{- end }}

{{/* A string quoted the way cdk8s' YAML writer quotes it (only when a parser would misread it). */}}
{{- define "${t('yamlString')}" -}}
{{- if regexMatch "${NEEDS_QUOTES_RE.replace(/\\/g, '\\\\')}" . }}{{ quote . }}{{ else }}{{ . }}{{ end }}
{{- end }}
${namedConfigTemplates(chart)}`;
}
