import { LIBRARY_VERSION, NVIDIA_DEVICE_PLUGIN_VERSION } from '../common/version';
import { CONFIG_NODE_LABEL, FallbackStrategy } from '../device-plugin/named-configs';
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

// Run once per config the pods may run (the top-level values, or each merged config.map
// entry): `$c` is the config, `$at` the prefix of its keys in messages (empty, or
// `config.map.<name>.`), argument 1 of every printf.
function sharingChecks(key: 'timeSlicing' | 'mps'): ValueCheck[] {
  const v = `$c.${key}`;
  return [
    {
      mistake: `${key}.resources without ${key}.enabled`,
      template: `{{- if and (not ${v}.enabled) ${v}.resources }}
{{- fail (printf ${q(`%[1]s${key}.resources lists %[2]d resource(s) but %[1]s${key}.enabled is false, so nothing would be shared: set %[1]s${key}.enabled=true, or remove %[1]s${key}.resources`)} $at (len ${v}.resources)) }}
{{- end }}`,
    },
    {
      mistake: `${key}.enabled with no resources`,
      template: `{{- if and ${v}.enabled (not ${v}.resources) }}
{{- fail (printf ${q(`%[1]s${key}.enabled=true needs at least one entry in %[1]s${key}.resources, e.g. [{name: nvidia.com/gpu, replicas: 4}]`)} $at) }}
{{- end }}`,
    },
    {
      mistake: `a MIG resource in ${key}.resources without migStrategy mixed`,
      template: `{{- range $i, $r := ${v}.resources }}
{{- if and (hasPrefix "nvidia.com/mig-" $r.name) (ne $c.migStrategy "${MigStrategy.MIXED}") }}
{{- fail (printf ${q(`%[1]s${key}.resources[%[2]d].name %[3]q is a MIG resource, which nodes advertise only with migStrategy=mixed (got %[1]smigStrategy=%[4]q): set migStrategy=mixed, or share nvidia.com/gpu`)} $at $i $r.name $c.migStrategy) }}
{{- end }}
{{- end }}`,
    },
  ];
}

/** Checks of each config the pods may run, wrapped in one loop over them. */
function perConfigChecks(chart: string): ValueCheck {
  const inner = [...sharingChecks('timeSlicing'), ...sharingChecks('mps')]
    .map((c) => `{{- /* ${c.mistake} */}}\n${c.template}`)
    .join('\n');
  return {
    mistake: 'time-slicing and MPS mistakes, in the top-level config or any config.map entry',
    template: `{{- range $item := include "${chart}.configList" . | fromJsonArray }}
{{- $c := $item.config }}
{{- $at := $item.at }}
${inner}
{{- end }}`,
  };
}

/** Mistakes with named configs (config.*), each refused with what to change. */
function namedConfigChecks(): ValueCheck[] {
  const map = '.Values.config.map';
  return [
    {
      mistake: 'config.map and config.name both set',
      template: `{{- if and ${map} .Values.config.name }}
{{- fail (printf ${q('config.map and config.name=%q both name the named configs: keep config.map (typed, checked here) or config.name (an existing ConfigMap), not both')} .Values.config.name) }}
{{- end }}`,
    },
    {
      mistake: 'config.default without config.map or config.name',
      template: `{{- if and .Values.config.default (not ${map}) (not .Values.config.name) }}
{{- fail (printf ${q('config.default=%q names a config, but config.map and config.name are empty: add the configs under config.map (or name an existing ConfigMap in config.name), or remove config.default')} .Values.config.default) }}
{{- end }}`,
    },
    {
      mistake: 'config.default not in config.map',
      template: `{{- if and ${map} .Values.config.default (not (hasKey ${map} .Values.config.default)) }}
{{- fail (printf ${q('config.default=%q is not a key of config.map (%s): add it, or name one of them')} .Values.config.default (keys ${map} | sortAlpha | join ", ")) }}
{{- end }}`,
    },
    {
      mistake: 'no config for nodes without the label',
      template: `{{- if and ${map} (not .Values.config.default) }}
{{- $fb := .Values.config.fallbackStrategies }}
{{- if not (or (and (has "${FallbackStrategy.NAMED}" $fb) (hasKey ${map} "default")) (and (has "${FallbackStrategy.SINGLE}" $fb) (eq (len ${map}) 1)) (has "${FallbackStrategy.EMPTY}" $fb)) }}
{{- fail (printf ${q(`a node without the ${CONFIG_NODE_LABEL} label would get no config: config.default is empty, config.fallbackStrategies is [%s] and config.map has %s; set config.default to one of them, name one config "default" (fallback named), or add "empty" to config.fallbackStrategies`)} (join ", " $fb) (keys ${map} | sortAlpha | join ", ")) }}
{{- end }}
{{- end }}`,
    },
    {
      mistake: 'MPS with config.map or config.name',
      template: `{{- if or ${map} .Values.config.name }}
{{- if .Values.mps.enabled }}
{{- fail ${q('mps.enabled=true cannot be combined with config.map or config.name: named configs do not support MPS yet (the MPS control daemon follows one config); share with timeSlicing in the named configs, or install a release without them for the MPS nodes')} }}
{{- end }}
{{- range $name, $entry := ${map} }}
{{- if and $entry (kindIs "map" $entry.mps) $entry.mps.enabled }}
{{- fail (printf ${q('config.map.%s.mps.enabled=true: named configs do not support MPS yet (the MPS control daemon follows one config); share with timeSlicing in config.map, or install a release without config.map for the MPS nodes')} $name) }}
{{- end }}
{{- end }}
{{- end }}`,
    },
    {
      mistake: 'a config.map entry with its own nvidiaDriverRoot',
      template: `{{- range $name, $entry := ${map} }}
{{- if and $entry (hasKey $entry "nvidiaDriverRoot") (ne $entry.nvidiaDriverRoot $.Values.nvidiaDriverRoot) }}
{{- fail (printf ${q('config.map.%s.nvidiaDriverRoot=%q differs from nvidiaDriverRoot=%q, but one pod mounts one driver root whatever config its node selects: set nvidiaDriverRoot at the top level only')} $name $entry.nvidiaDriverRoot $.Values.nvidiaDriverRoot) }}
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
    ...namedConfigChecks(),
    perConfigChecks(chart),
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
