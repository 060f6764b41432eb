import { ConfigError, InvalidValue, showValue } from '../../../plugin/src/config/errors';

describe('errors', () => {
  test('ConfigError is an Error named for logs', () => {
    const error = new ConfigError('bad');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe('bad');
  });

  test('InvalidValue carries its rule', () => {
    expect(new InvalidValue('must be x').rule).toBe('must be x');
  });

  test.each<[unknown, string]>([
    ['mixed', '"mixed"'],
    [1.5, '1.5'],
    [[true], '[true]'],
    [undefined, 'nothing'],
    [null, 'null'],
    ['x'.repeat(100), `"${'x'.repeat(76)}...`],
  ])('showValue(%j) is %s', (value, expected) => {
    expect(showValue(value)).toBe(expected);
  });
});
