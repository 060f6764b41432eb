import * as YAML from 'yaml';
import { MigLayout, MigPartedConfig } from '../../../src/operator';

const A100_MIXED: MigLayout = {
  name: 'a100-mixed',
  groups: [
    { devices: [0, 1], migEnabled: true, migDevices: { '1g.10gb': 7 } },
    { devices: [2], deviceFilter: ['0x20B510DE'], migEnabled: true, migDevices: { '3g.40gb': 1, '2g.20gb': 2 } },
    { devices: [3], migEnabled: false },
  ],
};

describe('MigPartedConfig rendering', () => {
  const config = new MigPartedConfig([A100_MIXED]);

  test("writes mig-parted's format: version v1 and mig-configs by name", () => {
    expect(YAML.parse(config.toYaml())).toEqual({
      version: 'v1',
      'mig-configs': {
        'all-disabled': [{ devices: 'all', 'mig-enabled': false }],
        'a100-mixed': [
          { devices: [0, 1], 'mig-enabled': true, 'mig-devices': { '1g.10gb': 7 } },
          {
            'device-filter': ['0x20B510DE'],
            devices: [2],
            'mig-enabled': true,
            'mig-devices': { '3g.40gb': 1, '2g.20gb': 2 },
          },
          { devices: [3], 'mig-enabled': false },
        ],
      },
    });
  });

  test('adds all-disabled first, since nodes without a nvidia.com/mig.config label get it', () => {
    expect(config.names).toEqual(['all-disabled', 'a100-mixed']);
  });

  test('keeps a given all-disabled instead of adding another', () => {
    const own = new MigPartedConfig([{ name: 'all-disabled', groups: [{ devices: [0], migEnabled: false }] }]);
    expect(own.names).toEqual(['all-disabled']);
    expect(own.toJson()['mig-configs']['all-disabled']).toEqual([{ devices: [0], 'mig-enabled': false }]);
  });

  test('writes mig-devices: {} for MIG mode without slices', () => {
    const c = new MigPartedConfig([{ name: 'all-enabled', groups: [{ migEnabled: true }] }]);
    expect(c.toJson()['mig-configs']['all-enabled']).toEqual([
      { devices: 'all', 'mig-enabled': true, 'mig-devices': {} },
    ]);
  });
});

describe('MigPartedConfig validation', () => {
  test.each<[string, MigLayout[], RegExp]>([
    [
      'a name that is not a label value',
      [{ name: 'all 1g', groups: [{ migEnabled: false }] }],
      /migManager.layouts\[\].name must be usable as a node label value: .*\(got "all 1g"\)/,
    ],
    ['a duplicate name', [A100_MIXED, A100_MIXED], /"a100-mixed"\] is defined twice/],
    ['no groups', [{ name: 'x', groups: [] }], /\["x"\].groups must list at least one group/],
    [
      'an empty devices list',
      [{ name: 'x', groups: [{ devices: [], migEnabled: false }] }],
      /devices is empty; list GPU indices/,
    ],
    [
      'a negative GPU index',
      [{ name: 'x', groups: [{ devices: [-1], migEnabled: false }] }],
      /devices\[\] must be a whole number ≥ 0 \(got -1\)/,
    ],
    [
      'a bad PCI device ID',
      [{ name: 'x', groups: [{ deviceFilter: ['20B0'], migEnabled: false }] }],
      /deviceFilter entries must be PCI device IDs like "0x20B010DE" \(got "20B0"\)/,
    ],
    [
      'slices with MIG off',
      [{ name: 'x', groups: [{ migEnabled: false, migDevices: { '1g.10gb': 1 } }] }],
      /lists migDevices but migEnabled is false/,
    ],
    [
      'an unknown profile',
      [{ name: 'x', groups: [{ migEnabled: true, migDevices: { '1g10gb': 1 } }] }],
      /MIG profile must look like "1g.10gb".*got "1g10gb"/,
    ],
    [
      'zero slices',
      [{ name: 'x', groups: [{ migEnabled: true, migDevices: { '1g.10gb': 0 } }] }],
      /migDevices\["1g.10gb"\] must be a whole number ≥ 1 \(got 0\)/,
    ],
    [
      'an all-disabled that enables MIG',
      [{ name: 'all-disabled', groups: [{ migEnabled: true }] }],
      /"all-disabled"\] must keep MIG off on every GPU/,
    ],
  ])('rejects %s', (_what, layouts, message) => {
    expect(() => new MigPartedConfig(layouts)).toThrow(message);
  });
});
