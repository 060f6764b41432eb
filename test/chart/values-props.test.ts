import { DEVICE_PLUGIN_FIELDS, DevicePluginValues } from '../../src/chart/device-plugin-values';
import { defaultsOf } from '../../src/chart/values-model';
import { coalesce, configProps, devicePluginProps, fullname, mergedConfig } from '../../src/chart/values-props';
import { DEVICE_PLUGIN_CONFIG_KEYS } from '../../src/device-plugin/plugin-config';
import { DevicePluginConfig, MigStrategy } from '../../src/device-plugin/plugin-config';
import { PluginImageKind } from '../../src/device-plugin/plugin-image';

const release = { name: 'gpu-device-plugin', namespace: 'kube-system' };
const withValues = (overrides: object) => coalesce(defaultsOf(DEVICE_PLUGIN_FIELDS), overrides) as DevicePluginValues;

describe('coalesce, as Helm merges user values over the defaults', () => {
  test('objects merge key by key', () => {
    expect(coalesce({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
  });

  test('lists replace the default list', () => {
    expect(coalesce({ l: [1, 2] }, { l: [3] })).toEqual({ l: [3] });
  });

  test('null deletes a default key', () => {
    expect(coalesce({ a: { b: 1, c: 2 } }, { a: { b: null } })).toEqual({ a: { c: 2 } });
  });

  test('the defaults are not modified', () => {
    const defaults = { a: { b: 1 } };
    coalesce(defaults, { a: { b: 2 } });
    expect(defaults).toEqual({ a: { b: 1 } });
  });
});

test.each([
  ['gpu', {}, 'gpu-gpu-device-plugin'],
  ['gpu-device-plugin', {}, 'gpu-device-plugin'],
  ['prod-gpu-device-plugin-2', {}, 'prod-gpu-device-plugin-2'],
  ['gpu', { nameOverride: 'plugin' }, 'gpu-plugin'],
  ['gpu', { fullnameOverride: 'nv', nameOverride: 'plugin' }, 'nv'],
  ['a'.repeat(60), {}, `${'a'.repeat(60)}-gp`],
  [`${'a'.repeat(62)}-x`, { nameOverride: 'x' }, 'a'.repeat(62)],
])('fullname of release %s with %j is %s', (name, values, expected) => {
  expect(fullname({ nameOverride: '', fullnameOverride: '', ...values }, { name, namespace: 'ns' })).toBe(expected);
});

test('default values give the construct its default names and namespace', () => {
  const props = devicePluginProps(withValues({}), release);
  expect([props.name, props.namespace, props.createNamespace]).toEqual([
    'gpu-device-plugin',
    'gpu-device-plugin',
    true,
  ]);
});

test('an empty namespace name means the release namespace', () => {
  expect(devicePluginProps(withValues({ namespace: { name: '' } }), release).namespace).toBe('kube-system');
});

test('the image reference joins repository, tag and digest, with its kind', () => {
  const digest = `sha256:${'0'.repeat(64)}`;
  const image = devicePluginProps(
    withValues({ image: { kind: 'nvidia', repository: 'r.example/p', tag: 'v1', digest } }),
    release,
  ).image!;
  expect([image.reference, image.kind]).toEqual([`r.example/p:v1@${digest}`, PluginImageKind.NVIDIA]);
});

test('sharing is passed only while enabled', () => {
  const props = devicePluginProps(
    withValues({ timeSlicing: { enabled: false, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] } }),
    release,
  );
  expect(props.timeSlicing).toBeUndefined();
});

test('shared resources become GpuResources with their replicas, rename and devices', () => {
  const props = devicePluginProps(
    withValues({
      migStrategy: 'mixed',
      timeSlicing: {
        enabled: true,
        resources: [{ name: 'nvidia.com/mig-1g.10gb', replicas: 3, rename: 'small', devices: ['0:1'] }],
      },
    }),
    release,
  );
  const [r] = props.timeSlicing!.resources;
  expect([props.migStrategy, r.resource!.name, r.replicas, r.rename, r.devices]).toEqual([
    MigStrategy.MIXED,
    'nvidia.com/mig-1g.10gb',
    3,
    'small',
    ['0:1'],
  ]);
});

test('an empty node selector and runtime class name mean none', () => {
  const props = devicePluginProps(withValues({}), release);
  expect([props.nodeSelector, props.runtimeClassName]).toEqual([undefined, undefined]);
});

test('health.recoverySeconds null means the plugin default', () => {
  expect(devicePluginProps(withValues({}), release).health!.recoverySeconds).toBeUndefined();
});

test('OnDelete drops maxUnavailable, which applies only to RollingUpdate', () => {
  expect(devicePluginProps(withValues({ updateStrategy: { type: 'OnDelete' } }), release).updateStrategy).toEqual({
    type: 'OnDelete',
    maxUnavailable: undefined,
  });
});

test("a numeric maxUnavailable becomes the construct's string form", () => {
  expect(
    devicePluginProps(withValues({ updateStrategy: { maxUnavailable: 3 } }), release).updateStrategy!.maxUnavailable,
  ).toBe('3');
});

test('resource quantities written as numbers or strings become Quantities', () => {
  const r = devicePluginProps(
    withValues({ resources: { limits: { memory: '1Gi', cpu: 2 }, requests: null } }),
    release,
  ).resources!;
  expect([r.limits!.memory.value, r.limits!.cpu.value, r.requests]).toEqual(['1Gi', 2, undefined]);
});

describe('one DevicePluginConfigProps object per config (issue 17)', () => {
  test('configProps maps every prop of DevicePluginConfigProps, and the chart defaults give the construct defaults', () => {
    const props = configProps(withValues({}));
    expect(Object.keys(props).sort()).toEqual([...DEVICE_PLUGIN_CONFIG_KEYS].sort());
    expect(new DevicePluginConfig(props).toYaml()).toBe(new DevicePluginConfig().toYaml());
  });

  test('DevicePluginConfig.toProps lists every prop and gives the same config again', () => {
    const config = new DevicePluginConfig({
      migStrategy: MigStrategy.SINGLE,
      timeSlicing: { renameByDefault: true, resources: [{ replicas: 3 }] },
      nvidiaDriverRoot: '/run/nvidia/driver',
    });
    expect(Object.keys(config.toProps()).sort()).toEqual([...DEVICE_PLUGIN_CONFIG_KEYS].sort());
    expect(new DevicePluginConfig(config.toProps()).toYaml()).toBe(config.toYaml());
  });

  test('a config.map entry is laid over the top-level values: keys replace, groups merge key by key', () => {
    const values = withValues({ nvidiaDriverRoot: '/run/nvidia/driver', timeSlicing: { renameByDefault: true } });
    const merged = mergedConfig(values, {
      deviceIdStrategy: 'index',
      timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] },
    });
    expect(merged.nvidiaDriverRoot).toBe('/run/nvidia/driver');
    expect(merged.deviceIdStrategy).toBe('index');
    expect(merged.timeSlicing).toEqual({
      enabled: true,
      renameByDefault: true,
      failRequestsGreaterThanOne: false,
      resources: [{ name: 'nvidia.com/gpu', replicas: 2 }],
    });
  });

  test('config.map gives named configs by name, config.default and the fallbacks; no single-config props', () => {
    const props = devicePluginProps(
      withValues({
        config: {
          map: {
            whole: {},
            'a-sliced': { timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] } },
          },
          default: 'whole',
        },
      }),
      release,
    );
    expect(props.configs!.map((c) => c.name)).toEqual(['a-sliced', 'whole']);
    expect(props.defaultConfig).toBe('whole');
    expect(props.fallbackStrategies).toEqual(['named', 'single']);
    expect(DEVICE_PLUGIN_CONFIG_KEYS.filter((k) => (props as any)[k] !== undefined)).toEqual([]);
  });
});
