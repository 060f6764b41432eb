import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { NVIDIA_VALUES, foreignNvidiaValues } from '../../src/chart/nvidia-values';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, helm, helmWorkDir, writeValues } from './helm';
import { peerPath } from '../helpers/tools';

// Users coming from NVIDIA's nvidia-device-plugin chart: every one of its top-level values is
// in the README's migration table, and the ones named differently here are refused by real
// helm with the key to use. NVIDIA's values.yaml is read from the real peer source (v0.20.0);
// without it the test fails, it never skips.

let nvidiaValues: Record<string, unknown>;
const work = helmWorkDir('chart-nvidia-');

beforeAll(() => {
  const src = peerPath(
    'nvidia-device-plugin-src',
    "NVIDIA's device plugin source",
    'its chart values cannot be compared',
    HELM_BUILD_TIMEOUT_MS,
  );
  nvidiaValues = YAML.parse(
    fs.readFileSync(path.join(src, 'deployments', 'helm', 'nvidia-device-plugin', 'values.yaml'), 'utf-8'),
  );
}, HELM_BUILD_TIMEOUT_MS);

test("the migration list has exactly the top-level keys of NVIDIA's values.yaml", () => {
  expect(NVIDIA_VALUES.map((v) => v.key).sort()).toEqual(Object.keys(nvidiaValues).sort());
});

test('the chart README\'s "Coming from NVIDIA\'s chart" table has a row for every NVIDIA value', () => {
  const readme = fs.readFileSync(path.join(CHART_DIR, 'README.md'), 'utf-8');
  const section = readme.slice(readme.indexOf("## Coming from NVIDIA's chart"));
  expect(section).toContain("| NVIDIA's value | This chart | Notes |");
  for (const key of Object.keys(nvidiaValues)) {
    expect(section).toMatch(new RegExp(`^\\| \`${key}\` \\| `, 'm'));
  }
});

test("a key marked the same exists in this chart's values.yaml", () => {
  const ours = YAML.parse(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf-8'));
  for (const v of NVIDIA_VALUES.filter((x) => x.same)) {
    expect([v.key, v.key in ours]).toEqual([v.key, true]);
  }
});

test.each(foreignNvidiaValues().map((v) => [v.key, v] as const))(
  "NVIDIA's %s is refused by helm template with what to set instead",
  (key, v) => {
    const r = helm([
      'template',
      'gpu-device-plugin',
      CHART_DIR,
      '--values',
      writeValues(work.path, key, { [key]: true }),
    ]);
    expect(r.stderr).toContain(`${key} is a value of NVIDIA's nvidia-device-plugin chart, not of this one: ${v.note}`);
    expect(r.stderr).not.toContain('additional properties');
    expect(r.status).not.toBe(0);
  },
);

test.each([
  ['compatWithCPUManager', 'set passDeviceSpecs=true'],
  ['deviceIDStrategy', 'set deviceIdStrategy (uuid or index)'],
  ['namespaceOverride', 'set namespace.name'],
  ['devicePlugin', 'devicePlugin.enableHostNetwork is hostNetwork here'],
])("the message for %s names this chart's key", (key, hint) => {
  expect(foreignNvidiaValues().find((v) => v.key === key)!.note).toContain(hint);
});

test("NVIDIA's comma-separated deviceListStrategy string is refused with the list to write", () => {
  const r = helm([
    'template',
    'gpu-device-plugin',
    CHART_DIR,
    '--values',
    writeValues(work.path, 'dls', { deviceListStrategy: 'envvar,cdi-cri' }),
  ]);
  expect(r.stderr).toContain(
    'deviceListStrategy is a list in this chart: write deviceListStrategy: [envvar, cdi-cri] instead of the string "envvar,cdi-cri"',
  );
  expect(r.status).not.toBe(0);
});
