import { CI_SCENARIOS } from '../../src/chart/ci-scenarios';
import { CONFIG_PROPS } from '../../src/chart/values-props';
import { CONFIG_FILE_LAYOUT } from '../../src/device-plugin/plugin-config';
import {
  CHART_DIR,
  ciValuesFile,
  distObjects,
  helmWorkDir,
  helmTemplate,
  objectKeys,
  synthFromValues,
  writeValues,
} from './helm';
import { firstOfKind } from '../helpers/k8s-objects';

// Parity: `helm template` of the chart equals `cdk8s synth` of GpuDevicePlugin with the same
// settings, object for object, every field (labels included: the construct's labels are the
// truth and the chart emits exactly them, with no Helm-only labels).

const work = helmWorkDir('chart-parity-');

function expectSameObjects(fromHelm: any[], fromSynth: any[]): void {
  expect(objectKeys(fromHelm)).toEqual(objectKeys(fromSynth));
  fromHelm.forEach((obj, i) => expect(obj).toStrictEqual(fromSynth[i]));
}

describe.each(CI_SCENARIOS.map((s) => [s.name, s] as const))('ci/%s-values.yaml', (_name, scenario) => {
  test('helm template equals cdk8s synth of the same settings', () => {
    expectSameObjects(helmTemplate(CHART_DIR, [ciValuesFile(scenario.name)]), synthFromValues(scenario.values));
  });
});

describe.each(CI_SCENARIOS.filter((s) => s.dist).map((s) => [s.name, s.dist!] as const))(
  'ci/%s-values.yaml',
  (name, dist) => {
    test(`helm template equals the reference app's dist/${dist}.k8s.yaml`, () => {
      expectSameObjects(
        helmTemplate(CHART_DIR, [ciValuesFile(name)], { name: 'gpu-device-plugin', namespace: 'default' }),
        distObjects(dist),
      );
    });
  },
);

test('default values without a values file reproduce dist/device-plugin.k8s.yaml', () => {
  expectSameObjects(helmTemplate(CHART_DIR, []), distObjects('device-plugin'));
});

// Names come from the release as Helm charts do; the construct gets the same name.
test.each([
  ['a release name without the chart name', { name: 'gpu', namespace: 'ml' }, {}, 'gpu-gpu-device-plugin'],
  [
    'a release name holding the chart name',
    { name: 'prod-gpu-device-plugin', namespace: 'ml' },
    {},
    'prod-gpu-device-plugin',
  ],
  ['nameOverride', { name: 'gpu', namespace: 'ml' }, { nameOverride: 'plugin' }, 'gpu-plugin'],
  [
    'fullnameOverride and the release namespace',
    { name: 'gpu', namespace: 'ml' },
    { fullnameOverride: 'nv', namespace: { create: false, name: '' } },
    'nv',
  ],
])('%s', (_what, release, values, expectedName) => {
  const fromHelm = helmTemplate(CHART_DIR, [writeValues(work.path, `names-${expectedName}`, values)], release);
  expect(firstOfKind(fromHelm, 'DaemonSet').metadata.name).toBe(expectedName);
  expectSameObjects(fromHelm, synthFromValues(values, release));
});

// The config file's text is hashed into a pod annotation, so quoting must match cdk8s' YAML
// writer byte for byte, including strings a YAML 1.1 parser would read as numbers or booleans.
test.each([
  ['numeric and MIG device indices', { devices: ['0', '12', '1:0', '3:59', '10:99'] }],
  ['UUIDs', { devices: ['GPU-8a3b2c1d-0000-1111-2222-333344445555', 'MIG-0f1e2d3c-4444-5555-6666-777788889999'] }],
  ['a rename that reads as a boolean', { rename: 'yes' }],
  ['a rename that reads as a float', { rename: 'e1' }],
  ['a dotted rename', { rename: 'gpu.shared.v2' }],
])('config file quoting: %s', (what, extra) => {
  const values = { timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 3, ...extra }] } };
  const file = writeValues(work.path, `quoting-${what.replace(/\W+/g, '-')}`, values);
  expectSameObjects(helmTemplate(CHART_DIR, [file]), synthFromValues(values));
});

test('time-slicing of a MIG profile, three list strategies, an image digest', () => {
  const values = {
    migStrategy: 'mixed',
    timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/mig-1g.10gb', replicas: 7 }] },
    sharedAllocationPolicy: 'packed',
    deviceListStrategy: ['envvar', 'volume-mounts', 'cdi-annotations'],
    image: { digest: `sha256:${'ab'.repeat(32)}` },
  };
  expectSameObjects(helmTemplate(CHART_DIR, [writeValues(work.path, 'mig-sharing', values)]), synthFromValues(values));
});

test('time-slicing and MPS at once, on differently named resources', () => {
  const values = {
    timeSlicing: { enabled: true, renameByDefault: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] },
    mps: {
      enabled: true,
      failRequestsGreaterThanOne: false,
      resources: [{ name: 'nvidia.com/gpu', replicas: 4, rename: 'gpu-mps' }],
    },
  };
  expectSameObjects(helmTemplate(CHART_DIR, [writeValues(work.path, 'both-sharing', values)]), synthFromValues(values));
});

// Helm reads numbers from values files as floats and would print 1000000 as 1e+06.
test('large whole numbers print as digits, as the construct prints them', () => {
  const values = {
    timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 1000000 }] },
    health: { skipXids: [1000000, 13], enableXids: [2000000], recoverySeconds: 10000000 },
    updateStrategy: { maxUnavailable: 1000000 },
  };
  expectSameObjects(
    helmTemplate(CHART_DIR, [writeValues(work.path, 'large-numbers', values)]),
    synthFromValues(values),
  );
});

// The config template is written from CONFIG_FILE_LAYOUT, as toJson() is: every key written only
// under a condition, with the condition on (each ifTrue flag true, both sharing kinds) and with
// MPS alone, must give the construct's file and hash.
describe('config keys written only under a condition', () => {
  const ifTrue = Object.entries(CONFIG_FILE_LAYOUT)
    .filter(([, field]) => field.written === 'ifTrue')
    .map(([prop, field]) => ({ path: CONFIG_PROPS[prop as keyof typeof CONFIG_PROPS].path, at: field.at }));
  const flagsOn: Record<string, unknown> = {};
  for (const { path: valuePath } of ifTrue) {
    const parts = valuePath.split('.');
    let at = flagsOn;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]] = true;
  }
  const mps = { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] };
  test.each([
    [
      'every ifTrue flag on, time-slicing and MPS',
      {
        ...flagsOn,
        timeSlicing: { enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 3 }] },
        mps: { ...mps, resources: [{ name: 'nvidia.com/gpu', replicas: 2, rename: 'gpu-mps' }] },
      },
      true,
    ],
    ['MPS alone', { mps, sharedAllocationPolicy: 'packed' }, false],
  ])('%s', (what, values, withFlags) => {
    const fromHelm = helmTemplate(CHART_DIR, [
      writeValues(work.path, `conditional-${what.replace(/\W+/g, '-')}`, values),
    ]);
    expectSameObjects(fromHelm, synthFromValues(values));
    const file = firstOfKind(fromHelm, 'ConfigMap').data['config.yaml'] as string;
    expect(file).toContain('sharedDevicesAllocationPolicy: ');
    expect(file).toContain('mpsRoot: /run/nvidia/mps');
    const flagLines = ifTrue.map(({ at }) => `${at.split('.').pop()}: true`);
    expect(flagLines.filter((line) => file.includes(line))).toEqual(withFlags ? flagLines : []);
  });
});

// NVIDIA's GPUDirect flags by their NVIDIA names: top-level, and in one named config only.
test.each(['gdsEnabled', 'mofedEnabled', 'gdrcopyEnabled'])('%s, top-level and in one config.map entry', (flag) => {
  for (const [what, values] of [
    ['top', { [flag]: true }],
    ['entry', { config: { map: { plain: {}, direct: { [flag]: true } }, default: 'plain' } }],
  ] as const) {
    const fromHelm = helmTemplate(CHART_DIR, [writeValues(work.path, `${flag}-${what}`, values)]);
    expectSameObjects(fromHelm, synthFromValues(values));
    const data = firstOfKind(fromHelm, 'ConfigMap').data as Record<string, string>;
    const withFlag = Object.keys(data).filter((key) => data[key].includes(`  ${flag}: true\n`));
    expect(withFlag).toEqual(what === 'top' ? ['config.yaml'] : ['direct']);
  }
});
