import { FIELD_RULES, KNOWN_KEYS, configFileSchema, pathPattern, pathText } from '../../../plugin/src/config/schema';

describe('paths', () => {
  test('pathPattern folds list indices', () => {
    expect(pathPattern(['sharing', 'mps', 'resources', 3, 'replicas'])).toBe('sharing.mps.resources[].replicas');
    expect(pathPattern([])).toBe('');
  });

  test('pathText keeps list indices', () => {
    expect(pathText(['sharing', 'mps', 'resources', 3, 'replicas'])).toBe('sharing.mps.resources[3].replicas');
  });
});

describe('configFileSchema', () => {
  test('registers the known keys of every section for suggestions', () => {
    expect(KNOWN_KEYS.get('')).toEqual(['version', 'flags', 'resources', 'sharing', 'imex']);
    expect(KNOWN_KEYS.get('sharing.timeSlicing')).toEqual([
      'renameByDefault',
      'failRequestsGreaterThanOne',
      'resources',
    ]);
    expect(KNOWN_KEYS.get('sharing.mps.resources[]')).toEqual(['name', 'rename', 'devices', 'replicas']);
    expect(KNOWN_KEYS.get('flags.plugin')).toContain('sharedDevicesAllocationPolicy');
  });

  test('registers a rule for every field', () => {
    expect(FIELD_RULES.get('flags.migStrategy')).toBe('must be one of none, single, mixed');
    expect(FIELD_RULES.get('sharing.timeSlicing.resources[].replicas')).toBe('must be a whole number ≥ 1');
  });

  test('accepts the gfd section whatever it holds (it belongs to gpu-feature-discovery)', () => {
    const result = configFileSchema.safeParse({ flags: { gfd: { oneshot: true, futureOption: 'x' } } });
    expect(result.success).toBe(true);
  });

  test('rejects an unknown key under flags.plugin', () => {
    const result = configFileSchema.safeParse({ flags: { plugin: { deviceListStrategyy: 'envvar' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['deviceListStrategyy'],
      path: ['flags', 'plugin'],
    });
  });
});
