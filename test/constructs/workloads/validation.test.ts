import { Duration, Size } from 'cdk8s';
import {
  isLabelValue, requireDnsLabel, requireDnsSubdomain, requireLabelValue, requireWholeNumber, wholeMebibytes, wholeSeconds,
} from '../../../src/workloads/validation';

describe('workload validation helpers', () => {
  test.each([
    ['a 63-character DNS label', () => requireDnsLabel('p', 'a'.repeat(63)), true],
    ['a 64-character DNS label', () => requireDnsLabel('p', 'a'.repeat(64)), false],
    ['a DNS label ending in -', () => requireDnsLabel('p', 'job-'), false],
    ['a dotted DNS subdomain', () => requireDnsSubdomain('p', 'nvidia.runtime'), true],
    ['a DNS subdomain with _', () => requireDnsSubdomain('p', 'nvidia_runtime'), false],
    ['a label value with _ and .', () => requireLabelValue('p', 'NVIDIA_A100.80GB'), true],
    ['an empty required label value', () => requireLabelValue('p', ''), false],
    ['undefined for a whole number', () => requireWholeNumber('p', undefined, 1), true],
    ['Infinity for a whole number', () => requireWholeNumber('p', Infinity, 1), false],
    ['undefined for seconds', () => wholeSeconds('p', undefined, 1), true],
    ['one day in seconds', () => wholeSeconds('p', Duration.days(1), 1), true],
    ['undefined for MiB', () => wholeMebibytes('p', undefined), true],
    ['1.5 MiB', () => wholeMebibytes('p', Size.kibibytes(1536)), false],
  ])('%s', (_what, check, ok) => {
    if (ok) {
      expect(check).not.toThrow();
    } else {
      expect(check).toThrow(/^p must be/);
    }
  });

  test('isLabelValue accepts empty and 63 characters, not 64', () => {
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('a'.repeat(63))).toBe(true);
    expect(isLabelValue('a'.repeat(64))).toBe(false);
  });

  test('wholeSeconds and wholeMebibytes return the amount', () => {
    expect(wholeSeconds('p', Duration.minutes(2), 1)).toBe(120);
    expect(wholeMebibytes('p', Size.gibibytes(2))).toBe(2048);
  });
});
