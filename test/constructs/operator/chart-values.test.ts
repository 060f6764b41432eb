import {
  GPU_OPERATOR_HELM_REPOSITORY,
  GPU_OPERATOR_VERSION,
  GpuOperatorRelease,
  OperandImage,
  OperatorChartValues,
} from '../../../src/operator';

describe('OperatorChartValues', () => {
  test("defaults: pinned version, NGC repository, the chart's ClusterPolicy off, NFD on, operator, validator and driver manager of the release", () => {
    const v = new OperatorChartValues();
    expect(v.version).toBe(GPU_OPERATOR_VERSION);
    expect(v.version).toBe('v26.7.0');
    expect(v.repositoryUrl).toBe(GPU_OPERATOR_HELM_REPOSITORY);
    expect(v.toJson()).toEqual({
      clusterPolicy: { deployCR: false },
      nfd: { enabled: true },
      validator: { repository: 'nvcr.io/nvidia', image: 'gpu-operator', version: 'v26.7.0' },
      driver: {
        manager: { repository: 'nvcr.io/nvidia/cloud-native', image: 'k8s-driver-manager', version: 'v0.12.0' },
      },
      operator: {
        repository: 'nvcr.io/nvidia',
        image: 'gpu-operator',
        version: 'v26.7.0',
        upgradeCRD: false,
        cleanupCRD: false,
      },
    });
  });

  test('v25.10.1 is refused: its chart has no clusterPolicy.deployCR and would render a second owner of the ClusterPolicy', () => {
    expect(() => new OperatorChartValues({}, { release: GpuOperatorRelease.V25_10_1 })).toThrow(
      /GPU Operator v25.10.1's chart has no clusterPolicy.deployCR switch: it always renders its own ClusterPolicy "cluster-policy"/,
    );
  });

  test('nfd false for clusters that run NFD already', () => {
    expect(new OperatorChartValues({ nfd: false }).toJson().nfd).toEqual({ enabled: false });
  });

  test("operatorImage sets the operator Deployment's image", () => {
    const v = new OperatorChartValues({
      operatorImage: OperandImage.of('registry.local/nvidia', 'gpu-operator', 'v26.7.0'),
    });
    expect(v.toJson().operator).toMatchObject({
      repository: 'registry.local/nvidia',
      image: 'gpu-operator',
      version: 'v26.7.0',
    });
  });

  test('extraValues merge key by key over the typed values', () => {
    const v = new OperatorChartValues({
      extraValues: { operator: { priorityClassName: 'system-cluster-critical' }, psa: { enabled: true } },
    });
    expect(v.toJson().operator).toMatchObject({
      repository: 'nvcr.io/nvidia',
      priorityClassName: 'system-cluster-critical',
    });
    expect(v.toJson().psa).toEqual({ enabled: true });
  });

  test('clusterPolicy.deployCR stays false whatever extraValues say about clusterPolicy', () => {
    const v = new OperatorChartValues({ extraValues: { clusterPolicy: { name: 'x' } } });
    expect(v.toJson().clusterPolicy).toEqual({ name: 'x', deployCR: false });
  });

  test('toJson returns a copy (callers cannot change the values)', () => {
    const v = new OperatorChartValues();
    v.toJson().nfd.enabled = false;
    expect(v.toJson().nfd.enabled).toBe(true);
  });

  test.each([
    [{ version: '^25.10.0' }, /chart.version must be an exact release like "v26.7.0" \(got "\^25.10.0"\)/],
    [{ version: 'v25.10.1' }, /chart.version "v25.10.1" is not the release the stack is built for \(v26.7.0\)/],
    [
      { operatorImage: OperandImage.of('registry.local/nvidia', 'gpu-operator', 'v25.10.1') },
      /chart.operatorImage registry.local\/nvidia\/gpu-operator:v25.10.1 is not the release's operator \(v26.7.0\)/,
    ],
    [
      { extraValues: { operator: { version: 'v25.10.1' } } },
      /chart.extraValues sets operator.version; the operator image follows the release/,
    ],
    [{ extraValues: { validator: { version: 'v25.10.1' } } }, /chart.extraValues sets validator.version/],
    [{ version: 'latest' }, /chart.version must be an exact release/],
    [{ repositoryUrl: 'http://helm.ngc.nvidia.com/nvidia' }, /chart.repositoryUrl must be the https:\/\/ URL/],
    [
      { extraValues: { clusterPolicy: { deployCR: true } } },
      /extraValues sets clusterPolicy.deployCR to true; the stack emits the ClusterPolicy itself/,
    ],
  ])('rejects %p', (options, message) => {
    expect(() => new OperatorChartValues(options)).toThrow(message);
  });

  test.each(['v26.7.0', '26.7.0'])("accepts the release's own version %s", (version) => {
    expect(new OperatorChartValues({ version }).version).toBe('v26.7.0');
  });

  test('a custom release pins its operator and validator at its version', () => {
    const release = GpuOperatorRelease.custom({ version: 'v26.7.1', basedOn: GpuOperatorRelease.V26_7_0 });
    const v = new OperatorChartValues({ version: 'v26.7.1' }, { release });
    expect(v.version).toBe('v26.7.1');
    expect(v.toJson().operator.version).toBe('v26.7.1');
    expect(v.toJson().validator.version).toBe('v26.7.1');
  });
});
