import { DefaultOperandImages, GPU_OPERATOR_VERSION, OperandImage } from '../../../src/operator';

describe('OperandImage', () => {
  test('keeps the three ClusterPolicy parts and joins them with ":" for a tag', () => {
    const i = OperandImage.of('nvcr.io/nvidia/k8s', 'container-toolkit', 'v1.18.1');
    expect([i.repository, i.image, i.version]).toEqual(['nvcr.io/nvidia/k8s', 'container-toolkit', 'v1.18.1']);
    expect(i.reference).toBe('nvcr.io/nvidia/k8s/container-toolkit:v1.18.1');
  });

  test('joins a digest with "@" (the operator does the same)', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(OperandImage.of('registry.local:5000/nvidia', 'driver', digest).reference).toBe(
      `registry.local:5000/nvidia/driver@${digest}`,
    );
  });

  test('withVersion keeps repository and name', () => {
    expect(DefaultOperandImages.DRIVER.withVersion('570.195.03').reference).toBe('nvcr.io/nvidia/driver:570.195.03');
  });

  test.each([
    ['nvcr.io/nvidia/', 'driver', '1.0', /repository must look like/],
    ['NVCR.io', 'driver', '1.0', /repository must look like/],
    ['nvcr.io/nvidia', 'driver:1.0', '1.0', /image name must be letters, digits and '-'/],
    ['nvcr.io/nvidia', 'driver', '', /version must be a tag/],
    ['nvcr.io/nvidia', 'driver', 'sha256:abc', /version must be a tag like "v1.18.1" or a digest/],
    ['nvcr.io/nvidia', 'driver', 'latest', /floating tag "latest"/],
  ])('rejects %s / %s / %s', (repository, image, version, message) => {
    expect(() => OperandImage.of(repository, image, version)).toThrow(message);
  });
});

describe('DefaultOperandImages', () => {
  const all = Object.entries(DefaultOperandImages).filter(([, v]) => v instanceof OperandImage) as Array<
    [string, OperandImage]
  >;

  test('lists every operand the stack deploys', () => {
    expect(all.map(([k]) => k).sort()).toEqual([
      'DCGM',
      'DCGM_EXPORTER',
      'DEVICE_PLUGIN',
      'DRIVER',
      'DRIVER_MANAGER',
      'GFD',
      'MIG_MANAGER',
      'OPERATOR',
      'TOOLKIT',
      'VALIDATOR',
    ]);
  });

  test('pins every image to a version (digits in the tag, never latest)', () => {
    for (const [, image] of all) {
      expect(image.version).toMatch(/\d/);
    }
  });

  test('runs the operator (and validator) at the pinned release', () => {
    expect(DefaultOperandImages.OPERATOR.reference).toBe(`nvcr.io/nvidia/gpu-operator:${GPU_OPERATOR_VERSION}`);
  });
});
