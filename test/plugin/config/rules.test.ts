import { InvalidValue } from '../../../plugin/src/config/errors';
import {
  RULES,
  requireAbsolutePath,
  requireDeviceListStrategies,
  requireImexChannelIDs,
  requireDeviceRef,
  parseResourceName,
  parseBool,
  parseImexChannelIDs,
  parseWholeNumber,
  parseList,
} from '../../../plugin/src/config/rules';

function rule(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidValue);
    return (error as InvalidValue).rule;
  }
  throw new Error('expected InvalidValue');
}

describe('parseBool takes the words of Go strconv.ParseBool', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['t', true],
    ['1', true],
    ['false', false],
    ['FALSE', false],
    ['f', false],
    ['0', false],
    [' true ', true],
  ])('%s → %s', (text, expected) => {
    expect(parseBool(text)).toBe(expected);
  });

  test.each(['yes', 'no', 'on', '2', ''])('rejects %j', (text) => {
    expect(rule(() => parseBool(text))).toBe(RULES.boolText);
  });
});

describe('lists', () => {
  test('parseList trims and drops empty items', () => {
    expect(parseList(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
  });

  test('device list strategies are de-duplicated in order', () => {
    expect(requireDeviceListStrategies(['cdi-cri', 'envvar', 'cdi-cri'])).toEqual(['cdi-cri', 'envvar']);
  });

  test('an empty device list strategy list is rejected', () => {
    expect(rule(() => requireDeviceListStrategies([]))).toBe(RULES.deviceListStrategy);
  });

  test('an unknown device list strategy is named', () => {
    expect(rule(() => requireDeviceListStrategies(['envvar', 'mounts']))).toMatch(/"mounts" is not one of them/);
  });
});

describe('IMEX channels', () => {
  test.each<[string, number[]]>([
    ['', []],
    ['0', [0]],
    [' 0 ', [0]],
  ])('%j → %j', (text, expected) => {
    expect(parseImexChannelIDs(text)).toEqual(expected);
  });

  test.each(['1', '0,0', 'x', '-1'])('rejects %j', (text) => {
    expect(rule(() => parseImexChannelIDs(text))).toBe(RULES.imexChannelIDs);
  });

  test('the list form takes [] and [0] only', () => {
    expect(requireImexChannelIDs([])).toEqual([]);
    expect(requireImexChannelIDs([0])).toEqual([0]);
    expect(rule(() => requireImexChannelIDs([0, 1]))).toBe(RULES.imexChannelIDs);
  });
});

describe('numbers and paths', () => {
  test('whole numbers within bounds', () => {
    const port = parseWholeNumber(RULES.port, 65535);
    expect(port('0')).toBe(0);
    expect(port('65535')).toBe(65535);
    for (const bad of ['65536', '-1', '1.5', '', 'http']) expect(rule(() => port(bad))).toBe(RULES.port);
  });

  test('absolute paths only', () => {
    expect(requireAbsolutePath('/run/nvidia/driver')).toBe('/run/nvidia/driver');
    expect(rule(() => requireAbsolutePath('run/nvidia'))).toBe(RULES.absolutePath);
  });
});

describe('parseResourceName', () => {
  test.each([
    ['gpu', 'nvidia.com/gpu'],
    ['nvidia.com/gpu', 'nvidia.com/gpu'],
    ['mig-1g.10gb', 'nvidia.com/mig-1g.10gb'],
    ['gpu.shared', 'nvidia.com/gpu.shared'],
  ])('%s → %s', (name, expected) => {
    expect(parseResourceName(name)).toBe(expected);
  });

  test.each(['GPU', 'gpu_', '-gpu', 'gpu-', '', 'example.com/gpu', 'a'.repeat(53)])('rejects %j', (name) => {
    expect(rule(() => parseResourceName(name))).toBe(RULES.resourceName);
  });

  test('accepts exactly 63 characters with the prefix', () => {
    expect(parseResourceName('a'.repeat(52))).toHaveLength(63);
  });
});

describe('requireDeviceRef', () => {
  test.each<[unknown, string]>([
    [0, '0'],
    [7, '7'],
    ['3', '3'],
    ['1:2', '1:2'],
    ['GPU-b1028956-cfa2-0990-bf4a-5da9abb51763', 'GPU-b1028956-cfa2-0990-bf4a-5da9abb51763'],
    ['MIG-b1028956-cfa2-0990-bf4a-5da9abb51763', 'MIG-b1028956-cfa2-0990-bf4a-5da9abb51763'],
    ['MIG-GPU-b1028956-cfa2-0990-bf4a-5da9abb51763/3/0', 'MIG-GPU-b1028956-cfa2-0990-bf4a-5da9abb51763/3/0'],
  ])('%j → %j', (ref, expected) => {
    expect(requireDeviceRef(ref)).toBe(expected);
  });

  test.each([-1, 1.5, true, null, 'GPU-1234', 'gpu0', '1:', ':1', { index: 0 }])('rejects %j', (ref) => {
    expect(rule(() => requireDeviceRef(ref))).toBe(RULES.devices);
  });
});
