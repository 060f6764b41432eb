import * as YAML from 'yaml';
import { DEVICE_PLUGIN_FIELDS, DEVICE_PLUGIN_RULES } from '../../src/chart/device-plugin-values';
import { GENERATED_NOTICE, valuesSchemaJson, valuesTable, valuesYaml } from '../../src/chart/values-files';
import { defaultsOf, walkFields } from '../../src/chart/values-model';

const text = valuesYaml(DEVICE_PLUGIN_FIELDS);
const lines = text.split('\n');

test('values.yaml says it is generated in its first line', () => {
  expect(lines[0]).toBe(`# ${GENERATED_NOTICE}`);
});

test('every key of the values model has a "# --" comment right above it in values.yaml', () => {
  const missing: string[] = [];
  let at = 0;
  walkFields(DEVICE_PLUGIN_FIELDS, (path, field) => {
    const depth = path.split('.').length - 1;
    const key = path.split('.').pop()!;
    const line = lines.findIndex(
      (l, i) => i >= at && (l === `${'  '.repeat(depth)}${key}:` || l.startsWith(`${'  '.repeat(depth)}${key}: `)),
    );
    if (line < 1 || lines[line - 1] !== `${'  '.repeat(depth)}# -- ${field.description}`) missing.push(path);
    at = Math.max(at, line);
  });
  expect(missing).toEqual([]);
});

test('values.yaml parses to the model defaults, read as Helm reads YAML (1.1)', () => {
  expect(YAML.parse(text, { version: '1.1' })).toEqual(defaultsOf(DEVICE_PLUGIN_FIELDS));
});

describe('values.schema.json', () => {
  const schema = JSON.parse(valuesSchemaJson('t', DEVICE_PLUGIN_FIELDS, DEVICE_PLUGIN_RULES));

  test('says it is generated in its first key', () => {
    expect(Object.keys(schema)[0]).toBe('$comment');
    expect(schema.$comment).toBe(GENERATED_NOTICE);
  });

  test('refuses unknown keys in every group of values', () => {
    const open: string[] = [];
    walkFields(DEVICE_PLUGIN_FIELDS, (path, field) => {
      const node = path.split('.').reduce((s: any, k) => s.properties[k], schema);
      if (field.kind === 'group' && node.additionalProperties !== false) open.push(path);
    });
    expect([schema.additionalProperties, open]).toEqual([false, []]);
  });

  test('requires every key except those whose default is null (Helm drops null keys)', () => {
    expect(schema.required).toEqual(Object.keys(DEVICE_PLUGIN_FIELDS));
    expect(schema.properties.health.required).toEqual(['disabled', 'skipXids', 'enableXids']);
  });

  test("lists the construct's enum values for the strategy keys", () => {
    expect([schema.properties.migStrategy.enum, schema.properties.deviceIdStrategy.enum]).toEqual([
      ['none', 'single', 'mixed'],
      ['uuid', 'index'],
    ]);
  });

  test('carries no cross-key rules: those are template checks with a message (src/chart/checks-template.ts)', () => {
    expect(DEVICE_PLUGIN_RULES).toEqual([]);
    expect(schema.allOf).toBeUndefined();
  });
});

test('the README table has one row per value, in model order', () => {
  const rows = valuesTable(DEVICE_PLUGIN_FIELDS)
    .trimEnd()
    .split('\n')
    .slice(2)
    .map((r) => r.split(' | ')[0].replace(/^\| `|`$/g, ''));
  const leaves: string[] = [];
  walkFields(DEVICE_PLUGIN_FIELDS, (path, field) => field.kind === 'leaf' && leaves.push(path));
  expect(rows).toEqual(leaves);
});

test('a pipe in a description is escaped in the README table', () => {
  const table = valuesTable({ a: { kind: 'leaf', description: 'x | y', default: 1, schema: {}, typeLabel: 'int' } });
  expect(table).toContain('| `a` | int | `1` | x \\| y |');
});
