import { CONDITIONS, devicePluginTemplates } from '../../src/chart/device-plugin-templates';

const files = devicePluginTemplates();
const byPath = Object.fromEntries(files.map((f) => [f.path, f.text]));
const all = files.map((f) => f.text).join('\n');

test('writes one template per object GpuDevicePlugin makes, plus the helpers', () => {
  expect(files.map((f) => f.path).sort()).toEqual([
    'templates/_checks.tpl',
    'templates/_config.tpl',
    'templates/_helpers.tpl',
    'templates/clusterrole.yaml',
    'templates/clusterrolebinding.yaml',
    'templates/configmap.yaml',
    'templates/daemonset.yaml',
    'templates/mps-control-daemon.yaml',
    'templates/namespace.yaml',
    'templates/serviceaccount.yaml',
  ]);
});

test('no value-binding token is left in any template', () => {
  expect(all).not.toContain('\u27e6cv:');
});

test.each(Object.entries(CONDITIONS))('the condition %s is used by a template', (_name, condition) => {
  expect(all).toContain(`if ${condition} }}`);
});

test('the Namespace exists only while namespace.create is true', () => {
  expect(byPath['templates/namespace.yaml']).toMatch(
    /^\{\{- include "gpu-device-plugin.validate" \. \}\}\n\{\{- if \.Values\.namespace\.create \}\}\n[\s\S]*\{\{- end \}\}\n$/,
  );
});

test('the Namespace keeps its Pod Security labels next to the standard ones', () => {
  expect(byPath['templates/namespace.yaml']).toContain(
    '{{- include "gpu-device-plugin.labels" . | nindent 4 }}\n    pod-security.kubernetes.io/audit: privileged\n    pod-security.kubernetes.io/enforce: privileged',
  );
});

test.each(['tolerations', 'affinity', 'resources'])('%s come from the values as a block', (key) => {
  expect(byPath['templates/daemonset.yaml']).toContain(
    `${key}:\n${' '.repeat(key === 'resources' ? 12 : 8)}{{- toYaml .Values.${key} |`,
  );
});

test('the config file (or each named config) and its hash come from one named template', () => {
  expect(byPath['templates/configmap.yaml']).toContain(
    'data:\n  {{- include "gpu-device-plugin.configData" . | nindent 2 }}',
  );
  expect(byPath['templates/daemonset.yaml']).toContain(
    'cdk8s-gpu.io/config-sha256: {{ include "gpu-device-plugin.configHash" . | quote }}',
  );
  const config = byPath['templates/_config.tpl'];
  expect(config).toContain('{{- toYaml (dict "config.yaml" (include "gpu-device-plugin.config" .Values)) }}');
  expect(config).toContain('{{- include "gpu-device-plugin.config" .Values | sha256sum }}');
});

test('the labels helper binds the version label to the image tag and the names to fullname', () => {
  const helpers = byPath['templates/_helpers.tpl'];
  expect(helpers).toContain('app.kubernetes.io/version: {{ .Values.image.tag | quote }}');
  expect(helpers).toContain('app.kubernetes.io/instance: {{ include "gpu-device-plugin.fullname" . | quote }}');
  expect(helpers).toContain('app.kubernetes.io/managed-by: cdk8s-gpu');
});

test('the env helper starts from the variables the construct always sets', () => {
  expect(byPath['templates/_helpers.tpl']).toContain(
    '$env := dict "CONFIG_FILE" "/config/config.yaml" "NVIDIA_DRIVER_CAPABILITIES" "compute,utility" "NVIDIA_VISIBLE_DEVICES" "all"',
  );
});
