import * as YAML from 'yaml';
import { NEEDS_QUOTES_RE, configTemplates } from '../../src/chart/config-template';
import { sharedResource } from '../../src/chart/k8s-schemas';

// The config template quotes `rename` and `devices` strings by NEEDS_QUOTES_RE; cdk8s' YAML
// writer (YAML 1.1) decides by itself. Both must agree on every string the schema admits,
// or the config file (and its sha256 annotation) would differ between helm and cdk8s.

const props = sharedResource.properties as any;
const renameRe = new RegExp(props.rename.pattern);
const deviceRe = new RegExp(props.devices.items.pattern);
const needsQuotes = new RegExp(NEEDS_QUOTES_RE);
const writerQuotes = (s: string) => YAML.stringify(s, { version: '1.1', lineWidth: 0 }).trimEnd() !== s;

function* renames(): Generator<string> {
  const first = 'abcdefghijklmnopqrstuvwxyz';
  const rest = `${first}0123456789.-`;
  for (const a of first) {
    yield a;
    for (const b of rest) {
      yield a + b;
      for (const c of rest) yield a + b + c;
    }
  }
  yield* ['yes', 'null', 'true', 'false', 'off', 'e10', 'e123', 'gpu-shared', 'gpu.shared', 'nvidia.shared.v2'];
}

function* devices(): Generator<string> {
  for (let i = 0; i < 130; i++) {
    yield String(i);
    yield `0${i}`;
    for (let j = 0; j < 130; j += 7) yield `${i}:${j}`;
  }
  yield* ['GPU-8a3b2c1d-0000-1111-2222-333344445555', 'MIG-0f1e2d3c-4444-5555-6666-777788889999', 'GPU-1e5', 'MIG-00'];
}

test.each([
  ['rename', renames, renameRe],
  ['devices', devices, deviceRe],
] as const)(
  'the quoting rule agrees with the YAML writer on every short %s the schema admits',
  (_field, gen, schemaRe) => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const s of gen()) {
      if (!schemaRe.test(s)) continue;
      checked++;
      if (needsQuotes.test(s) !== writerQuotes(s)) disagreements.push(s);
    }
    expect(checked).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  },
);

test('the yamlString helper carries the rule with Go string escapes', () => {
  expect(configTemplates('c')).toContain(`regexMatch "${NEEDS_QUOTES_RE.replace(/\\/g, '\\\\')}" .`);
});

test('every named template of the config file is prefixed with the chart name', () => {
  const names = [...configTemplates('my-chart').matchAll(/define "([^"]+)"/g)].map((m) => m[1]);
  expect(names).toEqual([
    'my-chart.config',
    'my-chart.configSharing',
    'my-chart.yamlString',
    'my-chart.named',
    'my-chart.configMapName',
    'my-chart.mergedConfig',
    'my-chart.configList',
    'my-chart.needs',
    'my-chart.configData',
    'my-chart.configHash',
  ]);
});
