import { renderTemplate } from './template-writer';

/** What the helpers are written from: all of it comes out of GpuDevicePlugin's own output. */
export interface HelpersInput {
  /** Chart name, the prefix of every named template. */
  readonly chart: string;
  /** The construct's standard labels, values bound to chart values (tokens). */
  readonly labels: Record<string, unknown>;
  /** The construct's selector labels, bound the same way. */
  readonly selectorLabels: Record<string, unknown>;
  /** Environment variables the construct always sets, by name. */
  readonly baseEnv: Record<string, string>;
  /** Environment variables the construct adds while MIG is on, by name. */
  readonly migEnv: Record<string, string>;
  /** Environment variables the construct adds with gpuFeatureDiscovery, by name. */
  readonly gfdEnv: Record<string, string>;
  /** Condition under which the MIG variables are set (any config the pods may run has MIG on). */
  readonly migCondition: string;
  /** Condition under which named configs are in use. */
  readonly namedCondition: string;
  /** The config directory the plugin reads named configs from. */
  readonly configDir: string;
}

/** `templates/_helpers.tpl`: names, labels, the image reference and the container env. */
export function helpersTemplate(input: HelpersInput): string {
  const t = (name: string) => `${input.chart}.${name}`;
  const dict = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `${goString(k)} ${goString(v)}`)
      .join(' ');
  const sets = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `{{- $_ := set $env ${goString(k)} ${goString(v)} }}`)
      .join('\n');
  const migSets = sets(input.migEnv);
  const gfdSets = sets(input.gfdEnv);
  return `{{/* Chart name, or nameOverride. */}}
{{- define "${t('name')}" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Base name of every object (GpuDevicePlugin's \`name\`): fullnameOverride, else the release
name, with the chart name appended unless the release name already holds it.
*/}}
{{- define "${t('fullname')}" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "${t('name')}" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Namespace of the objects: namespace.name, else the release namespace. */}}
{{- define "${t('namespace')}" -}}
{{- default .Release.Namespace .Values.namespace.name }}
{{- end }}

{{/*
Labels of every object: exactly the construct's (app.kubernetes.io/*), so objects installed
by Helm and by cdk8s synth are the same objects.
*/}}
{{- define "${t('labels')}" -}}
${renderTemplate(input.labels).trimEnd()}
{{- end }}

{{/* Labels the DaemonSet selects its pods by (never the version: a selector is immutable). */}}
{{- define "${t('selectorLabels')}" -}}
${renderTemplate(input.selectorLabels).trimEnd()}
{{- end }}

{{/* The image reference: repository:tag, and @digest when set. */}}
{{- define "${t('image')}" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}{{ with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/* A whole number as digits (Helm reads numbers from values files as floats: 1e+06). */}}
{{- define "${t('int')}" -}}
{{- if kindIs "string" . }}{{ . }}{{ else }}{{ int64 . }}{{ end }}
{{- end }}

{{/* Whole numbers joined with commas, as the construct joins XID lists. */}}
{{- define "${t('intList')}" -}}
{{- range $i, $x := . }}{{ if $i }},{{ end }}{{ int64 $x }}{{ end }}
{{- end }}

{{/*
Environment of the plugin container, as GpuDevicePlugin builds it: the fixed variables, MIG
monitoring, the GFD feature file, the health settings, then extraEnv (which wins), sorted by name.
*/}}
{{- define "${t('env')}" -}}
{{- $env := dict ${dict(input.baseEnv)} }}
{{- if ${input.migCondition} }}
${migSets}
{{- end }}
{{- if .Values.gfd.enabled }}
${gfdSets}
{{- end }}
{{- if .Values.health.disabled }}
{{- $_ := set $env "DP_DISABLE_HEALTHCHECKS" "all" }}
{{- else if .Values.health.skipXids }}
{{- $_ := set $env "DP_DISABLE_HEALTHCHECKS" (include "${t('intList')}" .Values.health.skipXids) }}
{{- end }}
{{- with .Values.health.enableXids }}
{{- $_ := set $env "DP_ENABLE_HEALTHCHECKS" (include "${t('intList')}" .) }}
{{- end }}
{{- if not (kindIs "invalid" .Values.health.recoverySeconds) }}
{{- $_ := set $env "HEALTH_RECOVERY_SECONDS" (include "${t('int')}" .Values.health.recoverySeconds) }}
{{- end }}
{{- $named := ${input.namedCondition} }}
{{- if $named }}
{{- $_ := unset $env "CONFIG_FILE" }}
{{- $_ := set $env "CONFIG_DIR" ${goString(input.configDir)} }}
{{- with .Values.config.default }}
{{- $_ := set $env "DEFAULT_CONFIG" . }}
{{- end }}
{{- $_ := set $env "FALLBACK_STRATEGIES" (join "," .Values.config.fallbackStrategies) }}
{{- end }}
{{- range $name, $value := .Values.extraEnv }}
{{- $_ := set $env $name $value }}
{{- end }}
{{- $list := list }}
{{- range $name := keys $env | sortAlpha }}
{{- $list = append $list (dict "name" $name "value" (get $env $name)) }}
{{- end }}
{{- if and $named (not (hasKey $env "NODE_NAME")) }}
{{- $list = append $list (dict "name" "NODE_NAME" "valueFrom" (dict "fieldRef" (dict "fieldPath" "spec.nodeName"))) }}
{{- end }}
{{- toYaml $list }}
{{- end }}
`;
}

function goString(s: string): string {
  // JSON string escapes are Go string escapes for the characters these values can hold.
  return JSON.stringify(s);
}
