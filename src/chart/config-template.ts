/**
 * The named templates that write the plugin's config file (NVIDIA's `version: v1`) from the
 * chart values. The text must equal `DevicePluginConfig.toYaml()` byte for byte: the
 * DaemonSet's `cdk8s-gpu.io/config-sha256` annotation hashes it, and the parity tests
 * compare that annotation too. So the keys follow `DevicePluginConfig.toJson()` in order,
 * with the same indentation and quoting as cdk8s' YAML writer (the `yaml` library, YAML 1.1).
 */

/**
 * Strings the YAML 1.1 writer quotes because a parser would read them as something else
 * (numbers, sexagesimal numbers like `1:0`, floats like `e1`, booleans, null), within the
 * shapes the schema allows for `rename` and `devices`. A unit test checks this against the
 * writer itself.
 */
export const NEEDS_QUOTES_RE =
  '^([0-9]+|[0-9][0-9_]*(:[0-5]?[0-9])+|([0-9][0-9_]*)?(\\.[0-9_]*)?[eE][-+]?[0-9]+|y|n|yes|no|on|off|true|false|null)$';

/** The config file and its helpers, for `templates/_config.tpl`. */
export function configTemplates(chart: string): string {
  const t = (name: string) => `${chart}.${name}`;
  return `{{/*
The plugin config file, as GpuDevicePlugin writes it (DevicePluginConfig.toYaml()).
Ends with one newline, like the file cdk8s writes, so its sha256 matches too.
*/}}
{{- define "${t('config')}" -}}
version: v1
flags:
  migStrategy: {{ .Values.migStrategy }}
  failOnInitError: {{ .Values.failOnInitError }}
  nvidiaDriverRoot: {{ .Values.nvidiaDriverRoot }}
  plugin:
    passDeviceSpecs: {{ .Values.passDeviceSpecs }}
    {{- if eq (len .Values.deviceListStrategy) 1 }}
    deviceListStrategy: {{ first .Values.deviceListStrategy }}
    {{- else }}
    deviceListStrategy:
      {{- range .Values.deviceListStrategy }}
      - {{ . }}
      {{- end }}
    {{- end }}
    deviceIDStrategy: {{ .Values.deviceIdStrategy }}
    {{- if or .Values.timeSlicing.enabled .Values.mps.enabled }}
    sharedDevicesAllocationPolicy: {{ .Values.sharedAllocationPolicy }}
    {{- end }}
  {{- if .Values.mps.enabled }}
  mpsRoot: {{ .Values.mps.root }}
  {{- end }}
{{- if or .Values.timeSlicing.enabled .Values.mps.enabled }}
sharing:
  {{- if .Values.timeSlicing.enabled }}
  timeSlicing:
    {{- include "${t('configSharing')}" .Values.timeSlicing | nindent 4 }}
  {{- end }}
  {{- if .Values.mps.enabled }}
  mps:
    {{- include "${t('configSharing')}" .Values.mps | nindent 4 }}
  {{- end }}
{{- end }}
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
`;
}
