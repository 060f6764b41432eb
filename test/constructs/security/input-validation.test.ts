import { Chart, Size, Testing } from 'cdk8s';
import { Cpu, EnvValue } from 'cdk8s-plus-28';
import { PluginImage } from '../../../src';
import { GpuJob, GpuJobProps } from '../../../src/workloads';
import { synthPlugin } from '../device-plugin/synth';

// Inputs the fuzzers (test/constructs/security/fuzz-*.test.ts) found reaching the output
// unchecked, each now refused at construction with the prop and the bad value named, or
// (for the plugin's version label) replaced by a valid value.

const IMAGE = 'nvcr.io/nvidia/pytorch:24.01-py3';

function job(props: Partial<GpuJobProps>, build?: (j: GpuJob) => void): void {
  const j = new GpuJob(new Chart(Testing.app(), 'test'), 'train', { image: IMAGE, ...props });
  build?.(j);
}

const REFUSED: Array<[string, () => void, string]> = [
  ['an empty image', () => job({ image: '' }), 'image must be a container image reference'],
  ['an image with a trailing space', () => job({ image: `${IMAGE} ` }), `(got "${IMAGE} ")`],
  [
    'a container name that is not a DNS label',
    () => job({ containerName: 'Trainer_1' }),
    'container name must be a DNS-1123 label',
  ],
  [
    'a sidecar name that is not a DNS label',
    () => job({}, (j) => j.addContainer({ name: 'log shipper', image: 'busybox:1.36' })),
    '(got "log shipper")',
  ],
  [
    'an env var name with a space',
    () => job({ envVariables: { 'MY VAR': EnvValue.fromValue('1') } }),
    'envVariables of container "trainer" holds the variable name "MY VAR"',
  ],
  [
    'an env var name starting with a digit',
    () => job({ envVariables: { '1X': EnvValue.fromValue('1') } }),
    'holds the variable name "1X"',
  ],
  [
    'a negative CPU request',
    () => job({ resources: { cpu: { request: Cpu.millis(-5) } } }),
    'resources of container "trainer".cpu.request must be a finite amount ≥ 0 (got "-5m")',
  ],
  [
    'a NaN memory limit',
    () => job({ resources: { memory: { limit: Size.mebibytes(NaN) } } }),
    '.memory.limit must be a finite amount ≥ 0 (got "NaNMi")',
  ],
  [
    'a backoffLimit beyond 32 bits',
    () => job({ backoffLimit: 2 ** 31 }),
    'backoffLimit must be at most 2147483647 (got 2147483648)',
  ],
  ['a uid beyond 32 bits', () => job({ runAsUser: 2 ** 31 }), 'runAsUser must be at most 2147483647'],
];

test.each(REFUSED)('GpuJob refuses %s', (_what, build, message) => {
  expect(build).toThrow(message);
});

test.each([
  ['a tag ending in a dot', 'v1.2.'],
  ['a tag of 100 characters', `v${'1'.repeat(99)}`],
])('GpuDevicePlugin with an image %s labels its objects with a valid version', (_what, tag) => {
  const { all } = synthPlugin({ image: PluginImage.project(tag) });
  for (const o of all) {
    expect(o.metadata.labels['app.kubernetes.io/version']).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  }
});

test('GpuDevicePlugin keeps a valid image tag as the version label', () => {
  const { byKind } = synthPlugin({ image: PluginImage.nvidia('v0.17.4') });
  expect(byKind('DaemonSet').metadata.labels['app.kubernetes.io/version']).toBe('v0.17.4');
});

test('GpuJob still takes the largest 32-bit values', () => {
  expect(() => job({ backoffLimit: 2 ** 31 - 1, runAsUser: 2 ** 31 - 1 })).not.toThrow();
});
