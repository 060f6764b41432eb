/**
 * A new config prop (a plugin flag in DevicePluginConfigProps) must reach the config file, the
 * chart value and the chart's config template. The compiler names each file to change, in
 * order, and nothing compiles until all of them have: plugin-config.ts (the layout and the
 * getter), values-props.ts (the chart value it comes from) and device-plugin-values.ts (the
 * value itself). The config template, toJson(), toProps() and the keys refused beside named
 * configs follow from those without an edit.
 */
import { Edit, SourceChecker } from '../../helpers/type-check';

const CONFIG = 'src/device-plugin/plugin-config.ts';
const VALUES_PROPS = 'src/chart/values-props.ts';
const VALUES = 'src/chart/device-plugin-values.ts';

const prop: Edit = {
  file: CONFIG,
  after: '  readonly mpsRoot?: string;\n',
  insert: '  /**\n   * A flag.\n   * @default false\n   */\n  readonly newFlagEnabled?: boolean;\n',
};
const layout: Edit = {
  file: CONFIG,
  after: 'const LAYOUT = {\n',
  insert: "  newFlagEnabled: { default: false, at: 'flags.newFlagEnabled', written: 'ifTrue' },\n",
};
const getter: Edit = {
  file: CONFIG,
  after: '  private readonly resolved: ResolvedProps;\n',
  insert: '  /** A flag. */\n  public get newFlagEnabled(): boolean {\n    return this.resolved.newFlagEnabled;\n  }\n',
};
const source: Edit = {
  file: VALUES_PROPS,
  after: "  mpsRoot: value('mps.root'),\n",
  insert: "  newFlagEnabled: value('newFlagEnabled'),\n",
};
const valueType: Edit = {
  file: VALUES,
  after: '  passDeviceSpecs: boolean;\n',
  insert: '  newFlagEnabled: boolean;\n',
};
const valueField: Edit = {
  file: VALUES,
  after: 'export const DEVICE_PLUGIN_FIELDS: Fields<DevicePluginValues> = {\n',
  insert: "  newFlagEnabled: bool('A flag.', false),\n",
};
const configValueKey: Edit = { file: VALUES, after: "  'passDeviceSpecs',\n", insert: "  'newFlagEnabled',\n" };

let checker: SourceChecker;

beforeAll(() => {
  checker = new SourceChecker('tsconfig.dev.json', 'src');
});

test('the construct and chart sources compile as they are', () => {
  expect(checker.check([]).messages).toEqual([]);
});

test.each<[string, Edit[], string[], string]>([
  ['the prop alone', [prop], [CONFIG, VALUES_PROPS], 'newFlagEnabled'],
  ['its layout entry without its getter', [prop, layout], [CONFIG, VALUES_PROPS], 'newFlagEnabled'],
  ['its layout entry and getter', [prop, layout, getter], [VALUES_PROPS], 'newFlagEnabled'],
  // The path names no config value yet: the error is at the path, the change is in the values.
  ['its chart value path, before the value exists', [prop, layout, getter, source], [VALUES_PROPS], '"newFlagEnabled"'],
  [
    'the value in DevicePluginValues only',
    [prop, layout, getter, source, valueType],
    [VALUES, VALUES_PROPS],
    'newFlagEnabled',
  ],
  [
    'the value and its field, but not among the config keys',
    [prop, layout, getter, source, valueType, valueField],
    [VALUES_PROPS],
    '"newFlagEnabled"',
  ],
])('with %s, the compiler names exactly the files still to change', (_what, edits, files, named) => {
  const result = checker.check(edits);
  expect(result.files).toEqual([...files].sort());
  for (const file of files) {
    expect(result.messages.filter((m) => m.startsWith(`${file}:`)).some((m) => m.includes(named))).toBe(true);
  }
});

test('a chart value of another type than the prop is refused at its path', () => {
  const wrongType: Edit = { ...source, insert: "  newFlagEnabled: value('nvidiaDriverRoot'),\n" };
  const result = checker.check([prop, layout, getter, wrongType]);
  expect(result.files).toEqual([VALUES_PROPS]);
  expect(result.messages.join('\n')).toContain("'string' is not assignable to type 'boolean");
});

test('with the prop in plugin-config.ts, values-props.ts and device-plugin-values.ts, everything compiles', () => {
  const result = checker.check([prop, layout, getter, source, valueType, valueField, configValueKey]);
  expect(result.messages).toEqual([]);
});
