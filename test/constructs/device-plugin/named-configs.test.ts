import { Chart, Testing } from 'cdk8s';
import {
  DeviceListStrategy,
  FallbackStrategy,
  GpuDevicePlugin,
  GpuDevicePluginProps,
  GpuResource,
  MigStrategy,
  NamedDevicePluginConfig,
} from '../../../src';
import { DevicePluginConfig } from '../../../src/device-plugin/plugin-config';
import { oneOfKind } from '../../helpers/k8s-objects';
import { validateK8sObjects } from '../helpers/k8s-schema';
import { envOf, pluginContainer, synthPlugin } from './synth';

const WHOLE: NamedDevicePluginConfig = { name: 'whole' };
const SLICED: NamedDevicePluginConfig = {
  name: 'sliced-4',
  config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
};

describe('GpuDevicePlugin with named configs', () => {
  const { all, byKind } = synthPlugin({ configs: [WHOLE, SLICED], defaultConfig: 'whole' });
  const ds = byKind('DaemonSet');
  const pod = ds.spec.template.spec;

  test("valid Kubernetes objects: namespace, service account, config map, RBAC, daemon set (Helm's order)", () => {
    expect(all.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ConfigMap',
      'ClusterRole',
      'ClusterRoleBinding',
      'DaemonSet',
    ]);
    validateK8sObjects(all);
  });

  test('writes one file per config, named after the config, with the single-config renderer', () => {
    expect(byKind('ConfigMap').data).toEqual({
      whole: new DevicePluginConfig({}).toYaml(),
      'sliced-4': new DevicePluginConfig(SLICED.config).toYaml(),
    });
  });

  test('passes the directory, the default, the fallbacks and the node name to the plugin', () => {
    const env = envOf(ds);
    expect(env.CONFIG_DIR).toBe('/config');
    expect(env.CONFIG_FILE).toBeUndefined();
    expect(env.DEFAULT_CONFIG).toBe('whole');
    expect(env.FALLBACK_STRATEGIES).toBe('named,single');
    expect(pluginContainer(ds).env.find((e: any) => e.name === 'NODE_NAME')).toEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
    });
    expect(pluginContainer(ds).volumeMounts).toContainEqual({ name: 'config', mountPath: '/config', readOnly: true });
  });

  test('grants get/list/watch on nodes and nothing else, to the plugin service account only', () => {
    const role = byKind('ClusterRole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    const binding = byKind('ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'gpu-device-plugin', namespace: 'gpu-device-plugin' },
    ]);
    expect(pod.serviceAccountName).toBe('gpu-device-plugin');
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  test('hashes every config file, so changing any config rolls the pods', () => {
    const hash = ds.spec.template.metadata.annotations['cdk8s-gpu.io/config-sha256'];
    const other = synthPlugin({
      configs: [WHOLE, { ...SLICED, config: { timeSlicing: { resources: [{ replicas: 8 }] } } }],
      defaultConfig: 'whole',
    }).byKind('DaemonSet').spec.template.metadata.annotations['cdk8s-gpu.io/config-sha256'];
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(other).not.toBe(hash);
  });

  test('exposes the names and the default', () => {
    const { plugin } = build({ configs: [WHOLE, SLICED], defaultConfig: 'sliced-4' });
    expect(plugin.configNames).toEqual(['whole', 'sliced-4']);
    expect(plugin.defaultConfig).toBe('sliced-4');
    expect(plugin.config.sharesDevices).toBe(true);
  });
});

describe('GpuDevicePlugin with an existing ConfigMap of named configs', () => {
  const { all, byKind } = synthPlugin({
    existingConfigMap: 'gpu-configs',
    defaultConfig: 'whole',
    deviceListStrategy: [DeviceListStrategy.VOLUME_MOUNTS],
  });
  const ds = byKind('DaemonSet');

  test('creates no ConfigMap and mounts the existing one as the config directory', () => {
    expect(all.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'DaemonSet',
    ]);
    expect(ds.spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'gpu-configs' } });
    expect(envOf(ds)).toMatchObject({
      CONFIG_DIR: '/config',
      DEFAULT_CONFIG: 'whole',
      FALLBACK_STRATEGIES: 'named,single',
    });
    expect(ds.spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('sets the pod up from the single-config props and hashes nothing', () => {
    expect(pluginContainer(ds).securityContext.capabilities.add).toEqual(['SYS_ADMIN']);
    expect(ds.spec.template.metadata.annotations).toBeUndefined();
  });

  test.each<[string, any, RegExp]>([
    [
      'with configs',
      { existingConfigMap: 'c', configs: [WHOLE] },
      /configs and existingConfigMap "c" both name the named configs/,
    ],
    [
      'a bad name',
      { existingConfigMap: 'Gpu_Configs' },
      /existingConfigMap must be a DNS-1123 subdomain: .*\(got "Gpu_Configs"\)/,
    ],
    [
      'a default that is no label value',
      { existingConfigMap: 'c', defaultConfig: 'a b' },
      /defaultConfig must be a label value/,
    ],
    [
      'MPS',
      { existingConfigMap: 'c', mps: { resources: [{ replicas: 2 }] } },
      /mps cannot be combined with existingConfigMap/,
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('GpuDevicePlugin without named configs', () => {
  test('mounts no token, emits no RBAC and keeps CONFIG_FILE', () => {
    const { all, byKind } = synthPlugin();
    expect(all.some((o) => o.kind.startsWith('ClusterRole'))).toBe(false);
    expect(byKind('DaemonSet').spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(envOf(byKind('DaemonSet')).CONFIG_FILE).toBe('/config/config.yaml');
    expect(Object.keys(byKind('ConfigMap').data)).toEqual(['config.yaml']);
  });
});

describe('pod settings cover every named config (a node may switch to any without a restart)', () => {
  test.each([
    ['MIG: SYS_ADMIN and MIG monitoring', { migStrategy: MigStrategy.MIXED }],
    ['volume-mounts: SYS_ADMIN', { deviceListStrategy: [DeviceListStrategy.VOLUME_MOUNTS] }],
  ])('%s', (_what, config) => {
    const ds = synthPlugin({ configs: [WHOLE, { name: 'other', config }], defaultConfig: 'whole' }).byKind('DaemonSet');
    expect(pluginContainer(ds).securityContext.capabilities.add).toEqual(['SYS_ADMIN']);
  });

  test('passDeviceSpecs in one config makes the container privileged', () => {
    const ds = synthPlugin({
      configs: [WHOLE, { name: 'cpu', config: { passDeviceSpecs: true } }],
      defaultConfig: 'whole',
    }).byKind('DaemonSet');
    expect(pluginContainer(ds).securityContext.privileged).toBe(true);
  });

  test('CDI in one config mounts the driver root and /var/run/cdi', () => {
    const ds = synthPlugin({
      configs: [WHOLE, { name: 'cdi', config: { deviceListStrategy: [DeviceListStrategy.CDI_CRI] } }],
      defaultConfig: 'whole',
    }).byKind('DaemonSet');
    expect(ds.spec.template.spec.volumes.map((v: any) => v.name)).toEqual([
      'device-plugins',
      'config',
      'driver-root',
      'cdi-root',
    ]);
  });

  test('MIG in one config turns on MIG monitoring', () => {
    const ds = synthPlugin({
      configs: [WHOLE, { name: 'mig', config: { migStrategy: MigStrategy.SINGLE } }],
      defaultConfig: 'whole',
    }).byKind('DaemonSet');
    expect(envOf(ds).NVIDIA_MIG_MONITOR_DEVICES).toBe('all');
  });
});

describe('default and fallbacks (NVIDIA chart semantics)', () => {
  test.each<[string, GpuDevicePluginProps]>([
    ['a config named "default" with the named fallback', { configs: [{ name: 'default' }, SLICED] }],
    ['a single config with the single fallback', { configs: [SLICED] }],
    ['the empty fallback', { configs: [WHOLE, SLICED], fallbackStrategies: [FallbackStrategy.EMPTY] }],
  ])('accepts %s without defaultConfig', (_what, props) => {
    const { plugin, env } = build(props);
    expect(plugin.defaultConfig).toBeUndefined();
    expect(env.DEFAULT_CONFIG).toBeUndefined();
  });

  test('writes the fallbacks in the given order', () => {
    const { env } = build({
      configs: [WHOLE, SLICED],
      fallbackStrategies: [FallbackStrategy.SINGLE, FallbackStrategy.EMPTY],
    });
    expect(env.FALLBACK_STRATEGIES).toBe('single,empty');
  });
});

describe('GpuDevicePlugin refuses', () => {
  test.each<[string, any, RegExp]>([
    [
      'named configs with a single-config prop',
      { configs: [WHOLE], migStrategy: MigStrategy.SINGLE, timeSlicing: { resources: [{ replicas: 2 }] } },
      /configs cannot be combined with the single-config props migStrategy, timeSlicing: .*move migStrategy, timeSlicing into each entry's config/,
    ],
    [
      'defaultConfig without configs',
      { defaultConfig: 'whole' },
      /defaultConfig applies only with configs or existingConfigMap/,
    ],
    [
      'fallbackStrategies without configs',
      { fallbackStrategies: ['empty'] },
      /fallbackStrategies applies only with configs or existingConfigMap/,
    ],
    ['an empty list', { configs: [] }, /configs is empty/],
    ['configs that is not a list', { configs: { name: 'a' } }, /configs must be a list of \{name, config\}/],
    ['an unknown key in an entry', { configs: [{ name: 'a', cfg: {} }] }, /configs\[0\].*"cfg"/],
    [
      'an unknown key in a config',
      { configs: [{ name: 'a', config: { migstrategy: 'none' } }] },
      /configs\["a"\]\.config.*"migstrategy"/,
    ],
    [
      'a name that is no label value',
      { configs: [{ name: 'Sliced 4' }] },
      /configs\[0\]\.name must be usable as the value of the node label nvidia.com\/device-plugin.config.*\(got "Sliced 4"\)/,
    ],
    ['a name given twice', { configs: [WHOLE, WHOLE] }, /configs\["whole"\] is defined twice/],
    [
      'a default that is not a config',
      { configs: [WHOLE, SLICED], defaultConfig: 'sliced-8' },
      /defaultConfig "sliced-8" is not one of the configs \("whole", "sliced-4"\)/,
    ],
    [
      'an unknown fallback',
      { configs: [WHOLE], fallbackStrategies: ['first'] },
      /fallbackStrategies\[0\] must be one of "named", "single", "empty"/,
    ],
    [
      'a fallback twice',
      { configs: [WHOLE], fallbackStrategies: ['single', 'single'] },
      /fallbackStrategies lists "single" twice/,
    ],
    [
      'no way to pick a config for an unlabelled node',
      { configs: [WHOLE, SLICED] },
      /a node without the nvidia.com\/device-plugin.config label would get no config: .*\[named, single\].*set defaultConfig/,
    ],
    [
      'a bad config, naming it',
      { configs: [{ name: 'bad', config: { timeSlicing: { resources: [{ replicas: 1 }] } } }] },
      /configs\["bad"\]\.config: timeSlicing.resources\[0\].replicas must be a whole number ≥ 2/,
    ],
    [
      'different driver roots',
      { configs: [WHOLE, { name: 'op', config: { nvidiaDriverRoot: '/run/nvidia/driver' } }], defaultConfig: 'whole' },
      /different nvidiaDriverRoot values \("\/", "\/run\/nvidia\/driver"\).*give every config the same nvidiaDriverRoot/,
    ],
    [
      'MPS in a named config',
      { configs: [WHOLE, { name: 'mps', config: { mps: { resources: [{ replicas: 2 }] } } }], defaultConfig: 'whole' },
      /configs\["mps"\] share GPUs with MPS, which named configs do not support yet/,
    ],
  ])('%s', (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

function build(props: GpuDevicePluginProps): { plugin: GpuDevicePlugin; env: Record<string, string> } {
  const chart = new Chart(Testing.app(), 'test');
  const plugin = new GpuDevicePlugin(chart, 'P', props);
  const ds = oneOfKind(Testing.synth(chart), 'DaemonSet');
  return { plugin, env: envOf(ds) };
}
