import { LIBRARY_VERSION, NVIDIA_DEVICE_PLUGIN_VERSION } from '../common/version';
import { MigStrategy } from '../device-plugin/plugin-config';
import { nvidiaValuesCheckTemplate } from './nvidia-values';
import { NVIDIA_IMAGE_REPOSITORY, PROJECT_IMAGE_REPOSITORY, PluginImageKind } from '../device-plugin/plugin-image';

/**
 * Rules between values that a JSON Schema can only state with `not`/`if`, whose errors Helm
 * prints as "'not' failed" with no hint. Each is a template `fail` instead, whose text names
 * the keys, their values and what to change. The construct refuses the same combinations
 * (PluginImage.fromReference, DevicePluginConfig, GpuDevicePlugin).
 */
export interface ValueCheck {
  /** What the rule prevents, for the docs and tests. */
  readonly mistake: string;
  /** Go template body that calls `fail` when the rule is broken (inside the `validate` define). */
  readonly template: string;
}

const q = (s: string) => JSON.stringify(s);

function sharingChecks(key: 'timeSlicing' | 'mps'): ValueCheck[] {
  const v = `.Values.${key}`;
  return [
    {
      mistake: `${key}.resources without ${key}.enabled`,
      template: `{{- if and (not ${v}.enabled) ${v}.resources }}
{{- fail (printf ${q(`${key}.resources lists %d resource(s) but ${key}.enabled is false, so nothing would be shared: set ${key}.enabled=true, or remove ${key}.resources`)} (len ${v}.resources)) }}
{{- end }}`,
    },
    {
      mistake: `${key}.enabled with no resources`,
      template: `{{- if and ${v}.enabled (not ${v}.resources) }}
{{- fail ${q(`${key}.enabled=true needs at least one entry in ${key}.resources, e.g. [{name: nvidia.com/gpu, replicas: 4}]`)} }}
{{- end }}`,
    },
    {
      mistake: `a MIG resource in ${key}.resources without migStrategy mixed`,
      template: `{{- range $i, $r := ${v}.resources }}
{{- if and (hasPrefix "nvidia.com/mig-" $r.name) (ne $.Values.migStrategy "${MigStrategy.MIXED}") }}
{{- fail (printf ${q(`${key}.resources[%d].name %q is a MIG resource, which nodes advertise only with migStrategy=mixed (got migStrategy=%q): set migStrategy=mixed, or share nvidia.com/gpu`)} $i $r.name $.Values.migStrategy) }}
{{- end }}
{{- end }}`,
    },
  ];
}

/** The checks, in the order they run. */
export function valueChecks(chart: string): ValueCheck[] {
  const kind = `(include "${chart}.imageKind" .)`;
  return [
    {
      mistake: "a value of NVIDIA's chart whose name or shape differs here",
      template: nvidiaValuesCheckTemplate(),
    },
    {
      mistake: "deviceListStrategy as NVIDIA's comma-separated string",
      template: `{{- if kindIs "string" .Values.deviceListStrategy }}
{{- fail (printf ${q("deviceListStrategy is a list in this chart: write deviceListStrategy: [%s] instead of the string %q (NVIDIA's chart takes a comma-separated string)")} (splitList "," .Values.deviceListStrategy | join ", ") .Values.deviceListStrategy) }}
{{- end }}`,
    },
    {
      mistake: "image.kind project with NVIDIA's repository",
      template: `{{- if and (eq .Values.image.kind "${PluginImageKind.PROJECT}") (eq .Values.image.repository "${NVIDIA_IMAGE_REPOSITORY}") }}
{{- fail ${q(`image.repository ${NVIDIA_IMAGE_REPOSITORY} is NVIDIA's plugin, which serves no /healthz for the probes of image.kind=project: set image.kind=nvidia, or leave image.kind empty (inferred from the repository)`)} }}
{{- end }}`,
    },
    {
      mistake: "image.kind nvidia with this project's repository",
      template: `{{- if and (eq .Values.image.kind "${PluginImageKind.NVIDIA}") (eq .Values.image.repository "${PROJECT_IMAGE_REPOSITORY}") }}
{{- fail ${q(`image.kind=nvidia but image.repository is this project's image ${PROJECT_IMAGE_REPOSITORY}: to run NVIDIA's plugin also set image.repository=${NVIDIA_IMAGE_REPOSITORY} and image.tag=${NVIDIA_DEVICE_PLUGIN_VERSION}; for this project's image leave image.kind empty`)} }}
{{- end }}`,
    },
    {
      mistake: 'the floating tag latest',
      template: `{{- if and (eq .Values.image.tag "latest") (not .Values.image.digest) }}
{{- fail ${q(`image.tag "latest" floats, so nodes could run different plugins: pin a release tag (e.g. image.tag=v${LIBRARY_VERSION}) or set image.digest`)} }}
{{- end }}`,
    },
    ...sharingChecks('timeSlicing'),
    ...sharingChecks('mps'),
    {
      mistake: 'podAnnotations replacing the config hash',
      template: `{{- if hasKey .Values.podAnnotations "cdk8s-gpu.io/config-sha256" }}
{{- fail ${q("podAnnotations must not set cdk8s-gpu.io/config-sha256: the chart sets it to the config's hash so a changed config rolls the pods; remove that key")} }}
{{- end }}`,
    },
    {
      mistake: 'MPS with migStrategy mixed',
      template: `{{- if and .Values.mps.enabled (eq .Values.migStrategy "${MigStrategy.MIXED}") }}
{{- fail ${q('mps.enabled=true cannot be combined with migStrategy=mixed (MPS shares whole GPUs): set migStrategy to none or single, or share the MIG devices with timeSlicing instead')} }}
{{- end }}`,
    },
    {
      mistake: "health.recoverySeconds with NVIDIA's image",
      template: `{{- if and (eq ${kind} "${PluginImageKind.NVIDIA}") (not (kindIs "invalid" .Values.health.recoverySeconds)) }}
{{- fail (printf ${q("health.recoverySeconds=%v needs this project's image (NVIDIA's plugin never marks a GPU healthy again): set health.recoverySeconds=null, or use this project's image")} .Values.health.recoverySeconds) }}
{{- end }}`,
    },
    {
      mistake: "gfd.enabled with NVIDIA's image",
      template: `{{- if and (eq ${kind} "${PluginImageKind.NVIDIA}") .Values.gfd.enabled }}
{{- fail ${q("gfd.enabled=true needs this project's image (NVIDIA's plugin writes no GPU Feature Discovery labels): set gfd.enabled=false, or use this project's image")} }}
{{- end }}`,
    },
  ];
}

/**
 * `templates/_checks.tpl`: the effective image kind, the value checks, and the resources the
 * release advertises (for NOTES.txt).
 */
export function checksTemplate(chart: string): string {
  const t = (name: string) => `${chart}.${name}`;
  return `{{/*
Which plugin the image runs: image.kind, or when empty, inferred from the repository
(${NVIDIA_IMAGE_REPOSITORY} is NVIDIA's plugin, anything else this project's), as
PluginImage.fromReference infers it.
*/}}
{{- define "${t('imageKind')}" -}}
{{- if .Values.image.kind }}{{ .Values.image.kind }}
{{- else if eq .Values.image.repository "${NVIDIA_IMAGE_REPOSITORY}" }}${PluginImageKind.NVIDIA}
{{- else }}${PluginImageKind.PROJECT}
{{- end }}
{{- end }}

{{/* Refuses combinations of values the construct refuses, with a message that says what to change. */}}
{{- define "${t('validate')}" -}}
${valueChecks(chart)
  .map((c) => `{{- /* ${c.mistake} */}}\n${c.template}`)
  .join('\n')}
{{- end }}

{{/*
The resources nodes advertise with these values, comma-separated, as
DevicePluginConfig.advertisedSharedResourceNames() names the shared ones: nvidia.com/gpu
unless every GPU is shared under another name, then each shared resource under its name.
*/}}
{{- define "${t('advertised')}" -}}
{{- $names := list }}
{{- $renamed := false }}
{{- range $key := list "timeSlicing" "mps" }}
{{- $s := index $.Values $key }}
{{- if $s.enabled }}
{{- range $s.resources }}
{{- $name := .name }}
{{- if .rename }}{{ $name = printf "nvidia.com/%s" .rename }}{{ else if $s.renameByDefault }}{{ $name = printf "%s.shared" .name }}{{ end }}
{{- if and (eq .name "nvidia.com/gpu") (ne $name "nvidia.com/gpu") (not .devices) }}{{ $renamed = true }}{{ end }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- end }}
{{- if not $renamed }}{{ $names = prepend $names "nvidia.com/gpu" }}{{ end }}
{{- $names | uniq | join "," }}
{{- end }}
`;
}
