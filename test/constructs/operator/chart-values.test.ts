import { GPU_OPERATOR_HELM_REPOSITORY, GPU_OPERATOR_VERSION, OperandImage, OperatorChartValues } from '../../../src/operator';

describe('OperatorChartValues', () => {
  test('defaults: pinned version, NGC repository, the chart\'s ClusterPolicy off, NFD on, the pinned operator image', () => {
    const v = new OperatorChartValues();
    expect(v.version).toBe(GPU_OPERATOR_VERSION);
    expect(v.repositoryUrl).toBe(GPU_OPERATOR_HELM_REPOSITORY);
    expect(v.toJson()).toEqual({
      clusterPolicy: { deployCR: false },
      nfd: { enabled: true },
      operator: { repository: 'nvcr.io/nvidia', image: 'gpu-operator', version: GPU_OPERATOR_VERSION, upgradeCRD: false, cleanupCRD: false },
    });
  });

  test('nfd false for clusters that run NFD already', () => {
    expect(new OperatorChartValues({ nfd: false }).toJson().nfd).toEqual({ enabled: false });
  });

  test('operatorImage sets the operator Deployment\'s image', () => {
    const v = new OperatorChartValues({ operatorImage: OperandImage.of('registry.local/nvidia', 'gpu-operator', 'v25.10.1') });
    expect(v.toJson().operator).toMatchObject({ repository: 'registry.local/nvidia', image: 'gpu-operator', version: 'v25.10.1' });
  });

  test('extraValues merge key by key over the typed values', () => {
    const v = new OperatorChartValues({ extraValues: { operator: { priorityClassName: 'system-cluster-critical' }, psa: { enabled: true } } });
    expect(v.toJson().operator).toMatchObject({ repository: 'nvcr.io/nvidia', priorityClassName: 'system-cluster-critical' });
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
    [{ version: '^25.10.0' }, /chart.version must be an exact release like "v25.10.1" \(got "\^25.10.0"\)/],
    [{ version: 'latest' }, /chart.version must be an exact release/],
    [{ repositoryUrl: 'http://helm.ngc.nvidia.com/nvidia' }, /chart.repositoryUrl must be the https:\/\/ URL/],
    [{ extraValues: { clusterPolicy: { deployCR: true } } }, /extraValues sets clusterPolicy.deployCR to true; the stack emits the ClusterPolicy itself/],
  ])('rejects %p', (options, message) => {
    expect(() => new OperatorChartValues(options)).toThrow(message);
  });

  test.each(['v25.10.1', '25.10.1', 'v26.3.0-rc.1'])('accepts the exact version %s', version => {
    expect(new OperatorChartValues({ version }).version).toBe(version);
  });
});
