import { KNOWN_KINDS, validateK8sObjects } from './k8s-schema';

const job = (limit: unknown) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'train' },
  spec: {
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': limit } } }],
      },
    },
  },
});

describe('validateK8sObjects', () => {
  test('covers the kinds this project emits', () => {
    expect(KNOWN_KINDS).toEqual(
      expect.arrayContaining([
        'v1/Namespace',
        'v1/ServiceAccount',
        'v1/ConfigMap',
        'v1/Pod',
        'v1/Service',
        'apps/v1/DaemonSet',
        'apps/v1/Deployment',
        'batch/v1/Job',
        'rbac.authorization.k8s.io/v1/ClusterRole',
        'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
        'node.k8s.io/v1/RuntimeClass',
        'scheduling.k8s.io/v1/PriorityClass',
      ]),
    );
  });

  test('accepts valid objects of several kinds', () => {
    expect(() =>
      validateK8sObjects([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gpu' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'config.yaml': 'version: v1\n' } },
        { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia' },
        { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 1000 },
        job(2),
        job('2'),
      ]),
    ).not.toThrow();
  });

  test('rejects a GPU limit that was written as null, naming the object and the field', () => {
    expect(() => validateK8sObjects([job(null)])).toThrow(
      /object 0 \(batch\/v1\/Job "train"\): .*limits\/nvidia\.com~1gpu must be number/,
    );
  });

  test('rejects a wrongly typed field', () => {
    const bad = { ...job(1), spec: { ...job(1).spec, backoffLimit: 'six' } };
    expect(() => validateK8sObjects([bad])).toThrow('data/spec/backoffLimit must be integer');
  });

  test('names an unknown kind and where to add it', () => {
    expect(() =>
      validateK8sObjects([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]),
    ).toThrow(
      'object 0 (example.com/v1/Widget "w"): no schema registered for example.com/v1/Widget; add it to MODELS in test/constructs/helpers/k8s-schema.ts',
    );
  });

  test('reports every bad object at once', () => {
    let message = '';
    try {
      validateK8sObjects([job(1), job(null), { apiVersion: 'v1', kind: 'Nope', metadata: { name: 'n' } }]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('object 1 (batch/v1/Job "train")');
    expect(message).toContain('object 2 (v1/Nope "n")');
    expect(message).not.toContain('object 0');
  });
});
