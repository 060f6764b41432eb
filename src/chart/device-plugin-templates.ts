import { ChartValue } from '../common/value';
import { UpdateStrategyType } from '../device-plugin/gpu-device-plugin-props';
import { DeviceListStrategy, MigStrategy } from '../device-plugin/plugin-config';
import { PluginImage, PluginImageKind } from '../device-plugin/plugin-image';
import { PLUGIN_CONFIG_DIR } from '../device-plugin/gpu-device-plugin';
import { checksTemplate } from './checks-template';
import { configTemplates, needs } from './config-template';
import { ObjectJson, constructDefaults, objectOfKind, podSpecOf, synthesizePlugin } from './construct-defaults';
import { helpersTemplate } from './helpers-template';
import { renderTemplate } from './template-writer';
import { CHART_NAME } from './values-props';

/** One file under `templates/`. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

const include = (name: string) => `include "${CHART_NAME}.${name}" .`;

/**
 * Conditions under which GpuDevicePlugin adds a piece of its output. Each mirrors one `if`
 * in the construct; the parity tests hold a scenario on each side of every one.
 */
export const CONDITIONS = {
  projectImage: `eq (${include('imageKind')}) "${PluginImageKind.PROJECT}"`,
  // Over every config the pods may run (one, or each named config): see CONFIG_NEEDS.
  privileged: needs(CHART_NAME, 'privileged'),
  sysAdmin: needs(CHART_NAME, 'sysAdmin'),
  // Every named config has the top-level driver root (a check refuses another).
  driverRoot: `or (ne .Values.nvidiaDriverRoot "/") ${needs(CHART_NAME, 'cdi')}`,
  cdi: needs(CHART_NAME, 'cdi'),
  named: include('named'),
  // config.name: the configs are in an existing ConfigMap, not the chart's.
  ownConfigMap: 'not .Values.config.name',
  gfd: '.Values.gfd.enabled',
  mps: '.Values.mps.enabled',
  onDelete: `eq .Values.updateStrategy.type "${UpdateStrategyType.ON_DELETE}"`,
  createNamespace: '.Values.namespace.create',
};

/**
 * The chart's templates, generated from GpuDevicePlugin: the construct is synthesized with
 * its names bound to chart values, then each piece that depends on a value is swapped for
 * the binding that renders it. Optional pieces (a volume, a probe, a security context) are
 * cut from the construct's own output for a setting that turns them on, so their content is
 * never written twice.
 */
export function devicePluginTemplates(): TemplateFile[] {
  const bound = synthesizePlugin({
    name: ChartValue.expr(include('fullname')),
    namespace: ChartValue.expr(include('namespace')),
    priorityClassName: ChartValue.value('priorityClassName'),
    runtimeClassName: ChartValue.when('.Values.runtimeClassName', ChartValue.value('runtimeClassName')),
  }).objects;
  const variants = synthesizeVariants();
  const defaults = constructDefaults();

  const serviceAccount = objectOfKind(bound, 'ServiceAccount');
  const standard: Record<string, unknown> = { ...serviceAccount.metadata.labels };
  expectEqual(standard['app.kubernetes.io/version'], defaults.image.tag, 'the version label');
  const labels = { ...standard, 'app.kubernetes.io/version': ChartValue.value('image.tag') };
  const daemonSet = objectOfKind(bound, 'DaemonSet');
  const selector = daemonSet.spec.selector.matchLabels;

  for (const obj of bound) {
    obj.metadata.labels = spliceLabels(obj.metadata.labels, standard);
  }
  daemonSet.spec.template.metadata.labels = spliceLabels(daemonSet.spec.template.metadata.labels, standard);
  daemonSet.spec.selector.matchLabels = { [ChartValue.block(include('selectorLabels'))]: null };
  bindConfigMap(objectOfKind(bound, 'ConfigMap'));
  bindDaemonSet(daemonSet, variants);
  bound.push(...nodeReader());

  const files: TemplateFile[] = bound.map((obj) => {
    // Every template runs the checks first: Helm stops at the first template that fails, in
    // an order of its own, so whichever comes first refuses bad values with the check's
    // message before an expression fails on them with a less helpful one.
    const body = renderTemplate(obj);
    const checked = `{{- ${include('validate')} }}\n`;
    const condition =
      obj.kind === 'Namespace'
        ? CONDITIONS.createNamespace
        : obj.kind.startsWith('ClusterRole')
          ? CONDITIONS.named
          : obj.kind === 'ConfigMap'
            ? CONDITIONS.ownConfigMap
            : '';
    const text = condition ? `${checked}{{- if ${condition} }}\n${body}{{- end }}\n` : `${checked}${body}`;
    return { path: `templates/${obj.kind.toLowerCase()}.yaml`, text };
  });
  files.push({
    path: 'templates/_helpers.tpl',
    text: helpersTemplate({
      chart: CHART_NAME,
      labels,
      selectorLabels: selector,
      baseEnv: envMap(podSpecOf(synthesizePlugin().objects).containers[0].env),
      migEnv: addedEnv(podSpecOf(synthesizePlugin().objects), variants.mig),
      gfdEnv: addedEnv(podSpecOf(synthesizePlugin().objects), variants.gfd),
      migCondition: needs(CHART_NAME, 'mig'),
      namedCondition: `${CONDITIONS.named}`,
      configDir: PLUGIN_CONFIG_DIR,
    }),
  });
  files.push({ path: 'templates/_config.tpl', text: configTemplates(CHART_NAME) });
  files.push(mpsControlDaemonTemplate());
  files.push({ path: 'templates/_checks.tpl', text: checksTemplate(CHART_NAME) });
  return files;
}

/**
 * The ClusterRole and ClusterRoleBinding that GpuDevicePlugin adds with named configs, names
 * and labels bound to values; rendered only while config.map is set.
 */
function nodeReader(): ObjectJson[] {
  const all = synthesizePlugin({
    name: ChartValue.expr(include('fullname')),
    namespace: ChartValue.expr(include('namespace')),
    configs: [{ name: 'default' }],
  }).objects;
  const objects = all.filter((o) => o.kind.startsWith('ClusterRole'));
  if (objects.length !== 2) {
    throw new Error(
      `GpuDevicePlugin with configs synthesized ${objects.length} ClusterRole objects (expected a ClusterRole and its binding); update the chart toolkit`,
    );
  }
  const standard = objectOfKind(all, 'ServiceAccount').metadata.labels;
  for (const obj of objects) obj.metadata.labels = spliceLabels(obj.metadata.labels, standard);
  return objects;
}

const MPS_COMPONENT = 'mps-control-daemon';

function mpsDaemonSetOf(objects: ObjectJson[]): ObjectJson {
  const found = objects.find(
    (o) => o.kind === 'DaemonSet' && o.metadata.labels['app.kubernetes.io/component'] === MPS_COMPONENT,
  );
  if (!found)
    throw new Error(
      'GpuDevicePlugin with mps synthesized no MPS control daemon DaemonSet; the chart toolkit expects one',
    );
  return found;
}

/**
 * The MPS control daemon DaemonSet, rendered only when `mps.enabled`: GpuDevicePlugin's own
 * output with mps on, its names, image, env, node selection and MPS root bound to values.
 */
function mpsControlDaemonTemplate(): TemplateFile {
  const mps = { resources: [{ replicas: 2 }] };
  const daemonSet = mpsDaemonSetOf(
    synthesizePlugin({
      name: ChartValue.expr(include('fullname')),
      namespace: ChartValue.expr(include('namespace')),
      priorityClassName: ChartValue.value('priorityClassName'),
      runtimeClassName: ChartValue.when('.Values.runtimeClassName', ChartValue.value('runtimeClassName')),
      mps,
      mpsRoot: ChartValue.value('mps.root'),
    }).objects,
  );
  const withDriverRoot = mpsDaemonSetOf(
    synthesizePlugin({ mps, nvidiaDriverRoot: ChartValue.value('nvidiaDriverRoot') }).objects,
  ).spec.template.spec;
  const nvidia = mpsDaemonSetOf(synthesizePlugin({ mps, image: PluginImage.nvidia() }).objects).spec.template.spec
    .containers[0];
  const onDelete = mpsDaemonSetOf(
    synthesizePlugin({ mps, updateStrategy: { type: UpdateStrategyType.ON_DELETE } }).objects,
  ).spec.updateStrategy;

  const version = (labels: Record<string, unknown>) => ({
    ...labels,
    'app.kubernetes.io/version': ChartValue.value('image.tag'),
  });
  daemonSet.metadata.labels = version(daemonSet.metadata.labels);
  daemonSet.spec.template.metadata.labels = version(daemonSet.spec.template.metadata.labels);
  const annotations = daemonSet.spec.template.metadata.annotations;
  expectKeys(annotations, ['cdk8s-gpu.io/config-sha256'], 'MPS pod annotations');
  annotations['cdk8s-gpu.io/config-sha256'] = ChartValue.expr(include('configHash'));
  const rolling = daemonSet.spec.updateStrategy;
  rolling.rollingUpdate.maxUnavailable = ChartValue.expr(
    `include "${CHART_NAME}.int" .Values.updateStrategy.maxUnavailable`,
    'number',
  );
  daemonSet.spec.updateStrategy = ChartValue.choose([{ condition: CONDITIONS.onDelete, value: onDelete }], rolling);

  const spec = daemonSet.spec.template.spec;
  spec.affinity = ChartValue.block('toYaml .Values.affinity');
  spec.tolerations = ChartValue.block('toYaml .Values.tolerations');
  spec.nodeSelector = ChartValue.when('.Values.nodeSelector', ChartValue.block('toYaml .Values.nodeSelector'));
  const container = spec.containers[0];
  const added = (base: ObjectJson[], variant: ObjectJson[]) => {
    const names = new Set(base.map((i) => i.name));
    const extra = variant.filter((i) => !names.has(i.name));
    if (extra.length !== 1)
      throw new Error(
        `expected GpuDevicePlugin's MPS daemon to add one volume/mount for driverRoot (got ${extra.length}); update the chart toolkit`,
      );
    return ChartValue.when(CONDITIONS.driverRoot, extra[0]);
  };
  spec.volumes = [...spec.volumes, added(spec.volumes, withDriverRoot.volumes)];
  container.volumeMounts = [
    ...container.volumeMounts,
    added(container.volumeMounts, withDriverRoot.containers[0].volumeMounts),
  ];
  container.image = ChartValue.expr(include('image'));
  // Pulled like the plugin's image: same pull policy and registry credentials.
  expectEqual(
    [container.imagePullPolicy, spec.imagePullSecrets],
    ['IfNotPresent', undefined],
    "the MPS daemon's default pull settings",
  );
  container.imagePullPolicy = ChartValue.value('image.pullPolicy');
  spec.imagePullSecrets = ChartValue.when(
    '.Values.imagePullSecrets',
    ChartValue.block('toYaml .Values.imagePullSecrets'),
  );
  container.env = ChartValue.block(include('env'));
  container.resources = ChartValue.block('toYaml .Values.resources');
  if (
    JSON.stringify(container.args) !== JSON.stringify(['mps-control-daemon']) ||
    nvidia.args !== undefined ||
    container.command !== undefined
  ) {
    throw new Error('GpuDevicePlugin changed how the MPS daemon is started (args/command); update the chart toolkit');
  }
  container.command = ChartValue.when(`not (${CONDITIONS.projectImage})`, nvidia.command);
  container.args = ChartValue.when(
    CONDITIONS.projectImage,
    ChartValue.block('toYaml (prepend (default (list) .Values.extraArgs) "mps-control-daemon")'),
  );
  return {
    path: 'templates/mps-control-daemon.yaml',
    text: `{{- if ${CONDITIONS.mps} }}\n${renderTemplate(daemonSet)}{{- end }}\n`,
  };
}

type Variants = ReturnType<typeof synthesizeVariants>;

// Each variant turns on one optional piece; paths are bound where the piece holds a value.
function synthesizeVariants() {
  const spec = (props: Parameters<typeof synthesizePlugin>[0]) => podSpecOf(synthesizePlugin(props).objects);
  return {
    mig: spec({ migStrategy: MigStrategy.MIXED }),
    volumeMounts: spec({ deviceListStrategy: [DeviceListStrategy.VOLUME_MOUNTS] }),
    privileged: spec({ passDeviceSpecs: true }),
    nvidiaImage: spec({ image: PluginImage.nvidia() }),
    driverRoot: spec({ nvidiaDriverRoot: ChartValue.value('nvidiaDriverRoot') }),
    cdi: spec({ deviceListStrategy: [DeviceListStrategy.CDI_CRI] }),
    gfd: spec({ gpuFeatureDiscovery: true }),
    mps: spec({ mps: { resources: [{ replicas: 2 }] }, mpsRoot: ChartValue.value('mps.root') }),
    onDelete: synthesizePlugin({ updateStrategy: { type: UpdateStrategyType.ON_DELETE } }).objects,
  };
}

// The config volume mounts config.name when set, else the chart's own ConfigMap.
function bindConfigVolume(volumes: ObjectJson[]): void {
  const volume = volumes.find((v) => v.name === 'config');
  if (!volume?.configMap) {
    throw new Error("GpuDevicePlugin's pod has no ConfigMap volume named config; update the chart toolkit");
  }
  volume.configMap.name = ChartValue.expr(include('configMapName'));
}

function bindConfigMap(configMap: ObjectJson): void {
  expectKeys(configMap.data, ['config.yaml'], 'ConfigMap data');
  configMap.data = ChartValue.block(include('configData'));
}

function bindDaemonSet(daemonSet: ObjectJson, v: Variants): void {
  const spec = daemonSet.spec.template.spec;
  const container = spec.containers[0];
  const annotations = daemonSet.spec.template.metadata.annotations;
  expectKeys(annotations, ['cdk8s-gpu.io/config-sha256'], 'pod annotations');
  annotations['cdk8s-gpu.io/config-sha256'] = ChartValue.when(
    CONDITIONS.ownConfigMap,
    ChartValue.expr(include('configHash')),
  );
  bindConfigVolume(spec.volumes);
  // toYaml of an empty map is "{}": splice nothing then.
  // No annotations at all (config.name and no podAnnotations): no key, as the construct leaves it out.
  daemonSet.spec.template.metadata.annotations = ChartValue.when(
    `or .Values.podAnnotations (${CONDITIONS.ownConfigMap})`,
    {
      [ChartValue.block('ternary "" (toYaml .Values.podAnnotations) (empty .Values.podAnnotations)')]: null,
      ...annotations,
    },
  );

  const rolling = daemonSet.spec.updateStrategy;
  rolling.rollingUpdate.maxUnavailable = ChartValue.expr(
    `include "${CHART_NAME}.int" .Values.updateStrategy.maxUnavailable`,
    'number',
  );
  daemonSet.spec.updateStrategy = ChartValue.choose(
    [{ condition: CONDITIONS.onDelete, value: objectOfKind(v.onDelete, 'DaemonSet').spec.updateStrategy }],
    rolling,
  );

  spec.affinity = ChartValue.block('toYaml .Values.affinity');
  spec.tolerations = ChartValue.block('toYaml .Values.tolerations');
  spec.nodeSelector = ChartValue.when('.Values.nodeSelector', ChartValue.block('toYaml .Values.nodeSelector'));
  spec.volumes = [...spec.volumes, ...optionalItems(spec.volumes, v, (s) => s.volumes)];

  container.image = ChartValue.expr(include('image'));
  expectEqual(container.imagePullPolicy, 'IfNotPresent', 'the default image pull policy');
  container.imagePullPolicy = ChartValue.value('image.pullPolicy');
  expectEqual(
    [spec.hostNetwork, spec.imagePullSecrets, spec.securityContext],
    [undefined, undefined, undefined],
    'the default pod settings',
  );
  spec.hostNetwork = ChartValue.when('.Values.hostNetwork', true);
  expectEqual(spec.automountServiceAccountToken, false, 'the token mount of a single-config plugin');
  spec.automountServiceAccountToken = ChartValue.choose([{ condition: CONDITIONS.named, value: true }], false);
  spec.imagePullSecrets = ChartValue.when(
    '.Values.imagePullSecrets',
    ChartValue.block('toYaml .Values.imagePullSecrets'),
  );
  spec.securityContext = ChartValue.when(
    '.Values.podSecurityContext',
    ChartValue.block('toYaml .Values.podSecurityContext'),
  );
  container.args = ChartValue.when('.Values.extraArgs', ChartValue.block('toYaml .Values.extraArgs'));
  container.env = ChartValue.block(include('env'));
  container.resources = ChartValue.block('toYaml .Values.resources');
  container.volumeMounts = [
    ...container.volumeMounts,
    ...optionalItems(container.volumeMounts, v, (s) => s.containers[0].volumeMounts),
  ];
  // NVIDIA's image has no health endpoint: the construct leaves port and probes out for it.
  const nvidia = v.nvidiaImage.containers[0];
  for (const key of ['ports', 'livenessProbe', 'readinessProbe']) {
    if (container[key] === undefined || nvidia[key] !== undefined) {
      throw new Error(
        `GpuDevicePlugin no longer sets container.${key} only for its own image; update the chart toolkit's CONDITIONS`,
      );
    }
    container[key] = ChartValue.when(CONDITIONS.projectImage, container[key]);
  }
  expectEqual(
    v.volumeMounts.containers[0].securityContext,
    v.mig.containers[0].securityContext,
    'the security context of volume-mounts and MIG',
  );
  container.securityContext = ChartValue.choose(
    [
      { condition: '.Values.securityContext', value: ChartValue.block('toYaml .Values.securityContext') },
      { condition: CONDITIONS.privileged, value: v.privileged.containers[0].securityContext },
      { condition: CONDITIONS.sysAdmin, value: v.mig.containers[0].securityContext },
    ],
    container.securityContext,
  );
}

// Volumes (or mounts) a variant adds to the default ones, each behind its condition, in the
// construct's order.
// A variant may also add an earlier variant's item (CDI needs the driver root too): that one
// is already there behind its own condition.
function optionalItems(base: ObjectJson[], v: Variants, pick: (spec: ObjectJson) => ObjectJson[]): string[] {
  const names = new Set(base.map((i) => i.name));
  return (
    [
      ['driverRoot', CONDITIONS.driverRoot],
      ['cdi', CONDITIONS.cdi],
      ['gfd', CONDITIONS.gfd],
      ['mps', CONDITIONS.mps],
    ] as const
  ).map(([name, condition]) => {
    const added = pick(v[name]).filter((i) => !names.has(i.name));
    added.forEach((i) => names.add(i.name));
    if (added.length !== 1) {
      throw new Error(
        `expected GpuDevicePlugin to add one volume/mount for ${name} (got ${added.length}); update the chart toolkit`,
      );
    }
    return ChartValue.when(condition, added[0]);
  });
}

function spliceLabels(labels: Record<string, unknown>, standard: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(standard)) {
    if (labels[k] !== value) {
      throw new Error(
        `an object of GpuDevicePlugin lacks the standard label ${k}=${String(value)}; the chart's labels helper would differ`,
      );
    }
  }
  for (const [k, value] of Object.entries(labels)) {
    if (!(k in standard)) extra[k] = value;
  }
  return { [ChartValue.block(include('labels'))]: null, ...extra };
}

function envMap(env: { name: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

function addedEnv(base: ObjectJson, variant: ObjectJson): Record<string, string> {
  const before = envMap(base.containers[0].env);
  return Object.fromEntries(Object.entries(envMap(variant.containers[0].env)).filter(([k]) => !(k in before)));
}

function expectKeys(obj: ObjectJson | undefined, keys: string[], what: string): void {
  const got = Object.keys(obj ?? {}).sort();
  if (JSON.stringify(got) !== JSON.stringify([...keys].sort())) {
    throw new Error(
      `GpuDevicePlugin's ${what} changed (keys ${got.join(', ') || 'none'}, expected ${keys.join(', ')}); update the chart toolkit`,
    );
  }
}

function expectEqual(a: unknown, b: unknown, what: string): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(
      `GpuDevicePlugin changed ${what} (${JSON.stringify(a)} vs ${JSON.stringify(b)}); update the chart toolkit`,
    );
  }
}
