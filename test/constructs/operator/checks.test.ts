import {
  requireAbsolutePath,
  requireCountOrPercent,
  requireOneOf,
  requireGoDuration,
  requireLabelValue,
  requirePromDuration,
} from '../../../src/common/validation';
import { KernelModuleType } from '../../../src/operator';

type Check = (field: string, value: any) => void;

describe.each<[string, Check, unknown[], unknown[], RegExp]>([
  ['requireLabelValue', requireLabelValue, ['time-sliced_4.x', 'A1'], ['-a', 'a b', 'a'.repeat(64), ''], /label value/],
  ['requireAbsolutePath', requireAbsolutePath, ['/', '/run/nvidia'], ['run', ''], /absolute host path/],
  [
    'requirePromDuration',
    requirePromDuration,
    ['15s', '1m30s', '2h', '500ms', '0'],
    ['', '15', '1.5s', '30s1m', '15 s'],
    /Prometheus duration/,
  ],
  ['requireGoDuration', requireGoDuration, ['30m', '1h30m', '90s', '1.5h'], ['', '1d', '30', 'm'], /duration such as/],
  [
    'requireCountOrPercent',
    requireCountOrPercent,
    ['1', '12', '25%', '100%'],
    ['0', '-1', '101%', '1.5', 'one'],
    /whole number ≥ 1 or a percentage/,
  ],
])('%s', (_name, check, good, bad, message) => {
  test.each(good)('accepts %p', (v) => {
    expect(() => check('field', v)).not.toThrow();
  });
  test.each(bad)('rejects %p, naming the field and the value', (v) => {
    expect(() => check('field', v)).toThrow(message);
    expect(() => check('field', v)).toThrow(/^field /);
  });
});

describe('requireOneOf', () => {
  test('accepts an enum value', () => {
    expect(() => requireOneOf('driver.kernelModuleType', 'open', KernelModuleType)).not.toThrow();
  });
  test('rejects a string from another jsii language and lists the values', () => {
    expect(() => requireOneOf('driver.kernelModuleType', 'closed', KernelModuleType)).toThrow(
      'driver.kernelModuleType must be one of "auto", "open", "proprietary" (got "closed")',
    );
  });
});
