/**
 * The release table against the real charts (../shared/peers via test/tools/peers.sh): every
 * operand image is the one the release's values.yaml pins, and every per-release fact the
 * model acts on (deployCR, required/deprecated fields, new fields) is what the chart and its
 * ClusterPolicy CRD say.
 */
import { GPU_OPERATOR_VERSION, GpuOperatorRelease, ReleaseOperands } from '../../../src/operator';
import { chartValues, clusterPolicyCrd, inValuesYaml, templatesText } from './real-operator-chart';

/** values.yaml block of each operand in the table. */
const VALUES_BLOCK: Array<[keyof ReleaseOperands, string]> = [
  ['driver', 'driver'],
  ['driverManager', 'driver.manager'],
  ['toolkit', 'toolkit'],
  ['devicePlugin', 'devicePlugin'],
  ['gfd', 'gfd'],
  ['dcgm', 'dcgm'],
  ['dcgmExporter', 'dcgmExporter'],
  ['migManager', 'migManager'],
  ['operator', 'operator'],
  ['validator', 'validator'],
];

const at = (obj: any, path: string) => path.split('.').reduce((o, k) => o?.[k], obj);

test('the pinned release is v26.7.0, the newest in ../shared/peers', () => {
  expect(GPU_OPERATOR_VERSION).toBe('v26.7.0');
  expect(GpuOperatorRelease.PINNED).toBe(GpuOperatorRelease.V26_7_0);
  expect(GpuOperatorRelease.ALL.map((r) => r.version)).toEqual(['v25.10.1', 'v26.7.0']);
});

describe.each(GpuOperatorRelease.ALL.map((r) => [r.version, r] as const))(
  'release %s against its real chart',
  (version, release) => {
    const values = chartValues(version);
    const crd = clusterPolicyCrd(version);
    const templates = templatesText(version);
    const spec = crd.spec.versions.find((v: any) => v.name === 'v1').schema.openAPIV3Schema.properties.spec;
    const field = (path: string) => at(spec.properties, path.split('.').join('.properties.'));
    const deprecated = (path: string) => /^Deprecated/.test(field(path)?.description ?? '');

    test.each(VALUES_BLOCK)("operand %s is values.yaml's %s", (operand, block) => {
      const image = release.operands[operand]!;
      const v = at(values, block);
      expect({ repository: image.repository, image: image.image }).toEqual({
        repository: v.repository,
        image: v.image,
      });
      // operator and validator leave version commented out (the chart's appVersion): the release tag.
      expect(image.version).toBe(v.version ?? version);
    });

    test("the init container is values.yaml's operator.initContainer where the release has one", () => {
      const v = values.operator.initContainer;
      if (release.operands.initContainer) {
        expect(release.operands.initContainer.reference).toBe(`${v.repository}/${v.image}:${v.version}`);
      } else {
        expect(v).toBeUndefined();
      }
    });

    test("the driver branch is the major version of values.yaml's driver", () => {
      expect(release.driverBranch).toBe(String(values.driver.version).split('.')[0]);
    });

    test("chartDeployCrSwitch: the chart's ClusterPolicy template is guarded by clusterPolicy.deployCR", () => {
      const guarded =
        /\{\{-? if \.Values\.clusterPolicy\.deployCR \}\}\s*apiVersion: nvidia\.com\/v1\s*kind: ClusterPolicy/.test(
          templates,
        );
      expect(guarded).toBe(release.features.chartDeployCrSwitch);
      expect(inValuesYaml(values, 'clusterPolicy.deployCR')).toBe(release.features.chartDeployCrSwitch);
    });

    test('crdRequiresDefaultRuntime: spec.operator.required lists defaultRuntime', () => {
      expect((field('operator').required ?? []).includes('defaultRuntime')).toBe(
        release.features.crdRequiresDefaultRuntime,
      );
      // Where it is not required, the CRD marks it deprecated: the stack does not emit it.
      expect(deprecated('operator.defaultRuntime')).toBe(!release.features.crdRequiresDefaultRuntime);
    });

    test('initContainerHonored: spec.operator.initContainer is not marked deprecated', () => {
      expect(deprecated('operator.initContainer')).toBe(!release.features.initContainerHonored);
    });

    test('cdi.default is deprecated and not required, so the stack never emits it', () => {
      expect(deprecated('cdi.default')).toBe(true);
      expect(field('cdi').required ?? []).not.toContain('default');
    });

    test.each([
      ['kubeletRootDir', 'hostPaths.kubeletRootDir'],
      ['daemonSetPodSecurityContext', 'daemonsets.podSecurityContext'],
      ['dcgmExporterPodLabels', 'dcgmExporter.enablePodLabels'],
      ['dcgmExporterPodLabels', 'dcgmExporter.enablePodUID'],
      ['dcgmExporterPodLabels', 'dcgmExporter.podLabelAllowlistRegex'],
      ['serviceMonitorScrapeTimeout', 'dcgmExporter.serviceMonitor.scrapeTimeout'],
    ] as const)('%s: the CRD has %s exactly when the table says so', (feature, path) => {
      expect(field(path) !== undefined).toBe(release.features[feature]);
    });

    test('the device plugin of the release decides sharedDevicesAllocationPolicy: v0.20.0+ only', () => {
      const minor = Number(/^v0\.(\d+)\./.exec(values.devicePlugin.version)![1]);
      expect(minor >= 20).toBe(version !== 'v25.10.1');
    });
  },
);

test('a custom release follows its base release and pins operator and validator at its own version', () => {
  const r = GpuOperatorRelease.custom({ version: 'v26.7.1', basedOn: GpuOperatorRelease.V26_7_0 });
  expect(r.operands.operator.reference).toBe('nvcr.io/nvidia/gpu-operator:v26.7.1');
  expect(r.operands.validator.reference).toBe('nvcr.io/nvidia/gpu-operator:v26.7.1');
  expect(r.operands.devicePlugin).toBe(GpuOperatorRelease.V26_7_0.operands.devicePlugin);
  expect(r.features).toBe(GpuOperatorRelease.V26_7_0.features);
});

test.each([
  [
    () => GpuOperatorRelease.of('v26.3.0'),
    /GPU Operator v26.3.0 is not in this library's release table \(v25.10.1, v26.7.0\)/,
  ],
  [
    () => GpuOperatorRelease.custom({ version: '26.7', basedOn: GpuOperatorRelease.V26_7_0 }),
    /custom version must be an exact release like "v26.7.1" \(got "26.7"\)/,
  ],
  [
    () =>
      GpuOperatorRelease.custom({
        version: 'v26.7.1',
        basedOn: GpuOperatorRelease.V26_7_0,
        operands: { initContainer: GpuOperatorRelease.V25_10_1.operands.initContainer },
      }),
    /v26.7.0 \(the base release\) ignores spec.operator.initContainer/,
  ],
])('refuses %p', (fn, message) => {
  expect(fn).toThrow(message);
});

test('of() accepts the version with or without "v"', () => {
  expect(GpuOperatorRelease.of('25.10.1')).toBe(GpuOperatorRelease.V25_10_1);
  expect(GpuOperatorRelease.of('v26.7.0')).toBe(GpuOperatorRelease.V26_7_0);
});
