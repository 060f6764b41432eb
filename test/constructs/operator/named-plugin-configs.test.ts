import { DevicePluginConfig, GpuResource, MigStrategy } from '../../../src';
import { NamedDevicePluginConfig } from '../../../src';
import { NamedPluginConfigs } from '../../../src/operator/named-plugin-configs';

const SLICED: NamedDevicePluginConfig = {
  name: 'sliced-4',
  config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
};
const MPS: NamedDevicePluginConfig = { name: 'mps-2', config: { mps: { resources: [{ replicas: 2 }] } } };

describe('NamedPluginConfigs', () => {
  test('without configs: one "default" config with the stack\'s MIG strategy and driver root', () => {
    const c = new NamedPluginConfigs(undefined, undefined, MigStrategy.SINGLE, '/run/nvidia/driver');
    expect(c.names).toEqual(['default']);
    expect(c.defaultName).toBe('default');
    expect(c.get('default').migStrategy).toBe(MigStrategy.SINGLE);
    expect(c.get('default').nvidiaDriverRoot).toBe('/run/nvidia/driver');
  });

  test('renders each config with DevicePluginConfig.toYaml (one model with GpuDevicePlugin)', () => {
    const c = new NamedPluginConfigs([SLICED, MPS], 'mps-2', MigStrategy.NONE, '/');
    expect(c.toConfigMapData()).toEqual({
      'sliced-4': new DevicePluginConfig({
        ...SLICED.config,
        migStrategy: MigStrategy.NONE,
        nvidiaDriverRoot: '/',
      }).toYaml(),
      'mps-2': new DevicePluginConfig({ ...MPS.config, migStrategy: MigStrategy.NONE, nvidiaDriverRoot: '/' }).toYaml(),
    });
  });

  test('the default is the first config unless named', () => {
    expect(new NamedPluginConfigs([SLICED, MPS], undefined, MigStrategy.NONE, '/').defaultName).toBe('sliced-4');
    expect(new NamedPluginConfigs([SLICED, MPS], 'mps-2', MigStrategy.NONE, '/').defaultName).toBe('mps-2');
  });

  test('a config may keep its own driver root', () => {
    const c = new NamedPluginConfigs(
      [{ name: 'host', config: { nvidiaDriverRoot: '/' } }],
      undefined,
      MigStrategy.NONE,
      '/run/nvidia/driver',
    );
    expect(c.get('host').nvidiaDriverRoot).toBe('/');
  });

  test.each<[string, NamedDevicePluginConfig[] | undefined, string | undefined, MigStrategy, RegExp]>([
    ['an empty list', [], undefined, MigStrategy.NONE, /devicePlugin.configs is empty/],
    [
      'a name that is not a label value',
      [{ name: 'time sliced' }],
      undefined,
      MigStrategy.NONE,
      /configs\[\].name must be usable as a node label value/,
    ],
    ['a duplicate name', [SLICED, SLICED], undefined, MigStrategy.NONE, /"sliced-4"\] is defined twice/],
    [
      'a default that is not a config',
      [SLICED],
      'mps-2',
      MigStrategy.NONE,
      /defaultConfig "mps-2" is not one of the configs \("sliced-4"\)/,
    ],
    [
      'a migStrategy other than mig.strategy',
      [{ name: 'x', config: { migStrategy: MigStrategy.NONE } }],
      undefined,
      MigStrategy.MIXED,
      /configs\["x"\].migStrategy is "none" but mig.strategy is "mixed"; the operator passes mig.strategy to the plugin/,
    ],
    [
      'MPS with mig.strategy mixed',
      [MPS],
      undefined,
      MigStrategy.MIXED,
      /configs\["mps-2"\] shares GPUs with MPS, which NVIDIA's plugin does not support with mig.strategy "mixed"/,
    ],
    [
      'an invalid config, naming which one',
      [{ name: 'bad', config: { timeSlicing: { resources: [{ replicas: 1 }] } } }],
      undefined,
      MigStrategy.NONE,
      /devicePlugin.configs\["bad"\]: timeSlicing.resources\[0\].replicas must be a whole number ≥ 2/,
    ],
  ])('rejects %s', (_what, configs, defaultName, mig, message) => {
    expect(() => new NamedPluginConfigs(configs, defaultName, mig, '/')).toThrow(message);
  });
});
