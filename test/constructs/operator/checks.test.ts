import {
  checkAbsolutePath, checkCountOrPercent, checkDnsLabel, checkDnsSubdomain, checkEnum, checkGoDuration,
  checkLabelValue, checkPromDuration, checkWholeNumber,
} from '../../../src/operator/checks';
import { KernelModuleType } from '../../../src/operator';

type Check = (field: string, value: any) => void;

describe.each<[string, Check, unknown[], unknown[], RegExp]>([
  ['checkDnsLabel', checkDnsLabel, ['gpu-operator', 'a'], ['GPU', 'a.b', '-a', 'a'.repeat(64)], /must be a DNS label/],
  ['checkDnsSubdomain', checkDnsSubdomain, ['cluster-policy', 'a.b'], ['A', 'a_b', '.a'], /must be a DNS subdomain/],
  ['checkLabelValue', checkLabelValue, ['time-sliced_4.x', 'A1'], ['-a', 'a b', 'a'.repeat(64), ''], /node label value/],
  ['checkAbsolutePath', checkAbsolutePath, ['/', '/run/nvidia'], ['run', ''], /absolute host path/],
  ['checkPromDuration', checkPromDuration, ['15s', '1m30s', '2h', '500ms', '0'], ['', '15', '1.5s', '30s1m', '15 s'], /Prometheus duration/],
  ['checkGoDuration', checkGoDuration, ['30m', '1h30m', '90s', '1.5h'], ['', '1d', '30', 'm'], /duration such as/],
  ['checkCountOrPercent', checkCountOrPercent, ['1', '12', '25%', '100%'], ['0', '-1', '101%', '1.5', 'one'], /whole number ≥ 1 or a percentage/],
])('%s', (_name, check, good, bad, message) => {
  test.each(good)('accepts %p', v => {
    expect(() => check('field', v)).not.toThrow();
  });
  test.each(bad)('rejects %p, naming the field and the value', v => {
    expect(() => check('field', v)).toThrow(message);
    expect(() => check('field', v)).toThrow(/^field /);
  });
});

describe('checkWholeNumber', () => {
  test.each([[0, 0], [3, 1]])('accepts %p with min %p', (v, min) => {
    expect(() => checkWholeNumber('n', v, min)).not.toThrow();
  });
  test.each([[-1, 0], [1.5, 0], [0, 1], [NaN, 0]])('rejects %p with min %p', (v, min) => {
    expect(() => checkWholeNumber('n', v, min)).toThrow(`n must be a whole number ≥ ${min} (got ${v})`);
  });
});

describe('checkEnum', () => {
  test('accepts an enum value', () => {
    expect(() => checkEnum('driver.kernelModuleType', 'open', KernelModuleType)).not.toThrow();
  });
  test('rejects a string from another jsii language and lists the values', () => {
    expect(() => checkEnum('driver.kernelModuleType', 'closed', KernelModuleType))
      .toThrow('driver.kernelModuleType must be one of "auto", "open", "proprietary" (got "closed")');
  });
});
