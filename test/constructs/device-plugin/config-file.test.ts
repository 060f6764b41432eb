import { ConfigFileLayout, configFileTree } from '../../../src/device-plugin/config-file';
import { CONFIG_FILE_LAYOUT, DevicePluginConfig } from '../../../src/device-plugin/plugin-config';

const withAt = (changes: Partial<Record<keyof ConfigFileLayout, string>>): ConfigFileLayout =>
  Object.fromEntries(
    Object.entries(CONFIG_FILE_LAYOUT).map(([prop, field]) => [
      prop,
      { ...field, at: changes[prop as keyof ConfigFileLayout] ?? field.at },
    ]),
  ) as unknown as ConfigFileLayout;

test("the file's sections stand where their first key does, keys in table order", () => {
  const shape = (nodes: ReturnType<typeof configFileTree>): unknown =>
    nodes.map((n) => (n.children ? { [n.key]: shape(n.children) } : n.key));
  expect(shape(configFileTree(CONFIG_FILE_LAYOUT))).toEqual([
    {
      flags: [
        'migStrategy',
        'failOnInitError',
        'nvidiaDriverRoot',
        'gdsEnabled',
        'mofedEnabled',
        'gdrcopyEnabled',
        { plugin: ['passDeviceSpecs', 'deviceListStrategy', 'deviceIDStrategy', 'sharedDevicesAllocationPolicy'] },
        'mpsRoot',
      ],
    },
    { sharing: ['timeSlicing', 'mps'] },
  ]);
});

test('two props at one place are refused, naming the place and the prop', () => {
  expect(() => configFileTree(withAt({ gdsEnabled: 'flags.migStrategy' }))).toThrow(
    'CONFIG_FILE_LAYOUT: two props are at flags.migStrategy; give gdsEnabled its own place',
  );
});

test("a prop inside another prop's value is refused", () => {
  expect(() => configFileTree(withAt({ gdsEnabled: 'flags.migStrategy.gds' }))).toThrow(
    'CONFIG_FILE_LAYOUT: gdsEnabled is at flags.migStrategy.gds, inside the value of another prop',
  );
});

test('defaults come from the layout, and a default list is never shared between configs', () => {
  const a = new DevicePluginConfig();
  const b = new DevicePluginConfig();
  expect(a.toProps()).toEqual(
    Object.fromEntries(Object.entries(CONFIG_FILE_LAYOUT).map(([prop, field]) => [prop, field.default])),
  );
  expect(a.deviceListStrategy).not.toBe(b.deviceListStrategy);
  expect(a.deviceListStrategy).not.toBe(CONFIG_FILE_LAYOUT.deviceListStrategy.default);
});
