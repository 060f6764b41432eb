import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  requireImage,
  requireResources,
  requireWholeMebibytes,
  requireWholeSeconds,
} from '../../../src/common/validation';

// The workload-only checks; the Kubernetes rules shared by every construct are tested in
// test/constructs/common/validation.test.ts.

describe('workload validation helpers', () => {
  test.each([
    ['undefined for seconds', () => requireWholeSeconds('p', undefined, 1), true],
    ['one day in seconds', () => requireWholeSeconds('p', Duration.days(1), 1), true],
    ['1.5 seconds', () => requireWholeSeconds('p', Duration.millis(1500), 1), false],
    ['undefined for MiB', () => requireWholeMebibytes('p', undefined), true],
    ['1.5 MiB', () => requireWholeMebibytes('p', Size.kibibytes(1536)), false],
    ['an image with a tag', () => requireImage('p', 'busybox:1.36'), true],
    ['an empty image', () => requireImage('p', ''), false],
    [
      'resources with a CPU request in millis',
      () => requireResources('p', { cpu: { request: Cpu.millis(250) } }),
      true,
    ],
    ['a negative CPU limit', () => requireResources('p', { cpu: { limit: Cpu.millis(-1) } }), false],
  ])('%s', (_what, check, ok) => {
    if (ok) {
      expect(check).not.toThrow();
    } else {
      expect(check).toThrow(/^p(\.cpu\.limit)? must be/);
    }
  });

  test('requireWholeSeconds and requireWholeMebibytes return the amount', () => {
    expect(requireWholeSeconds('p', Duration.minutes(2), 1)).toBe(120);
    expect(requireWholeMebibytes('p', Size.gibibytes(2))).toBe(2048);
  });
});
