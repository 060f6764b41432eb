import { ConfigError } from '../../../plugin/src/config/errors';
import { healthFromEnv } from '../../../plugin/src/config/health';

const DEFAULTS = [13, 31, 43, 45, 68, 109];

function health(env: NodeJS.ProcessEnv, warnings: string[] = []) {
  return healthFromEnv(env, 1000, (m) => warnings.push(m));
}

describe('healthFromEnv', () => {
  test.each<[string, NodeJS.ProcessEnv, { disabled: boolean; skipXids: number[]; enableXids: number[] }]>([
    ['nothing set: the default skip list', {}, { disabled: false, skipXids: DEFAULTS, enableXids: [] }],
    ['disable all', { DP_DISABLE_HEALTHCHECKS: 'all' }, { disabled: true, skipXids: DEFAULTS, enableXids: [] }],
    [
      'disable xids (case-insensitive)',
      { DP_DISABLE_HEALTHCHECKS: 'XIDs' },
      { disabled: true, skipXids: DEFAULTS, enableXids: [] },
    ],
    [
      'disable a list: added to the defaults',
      { DP_DISABLE_HEALTHCHECKS: '48, 62,,13' },
      { disabled: false, skipXids: [13, 31, 43, 45, 48, 62, 68, 109], enableXids: [] },
    ],
    [
      'enable a default-skipped XID: removed from the skip list',
      { DP_ENABLE_HEALTHCHECKS: '31,79' },
      { disabled: false, skipXids: [13, 43, 45, 68, 109], enableXids: [31, 79] },
    ],
    [
      'enable overrides disable for the same XID',
      { DP_DISABLE_HEALTHCHECKS: '48', DP_ENABLE_HEALTHCHECKS: '48' },
      { disabled: false, skipXids: DEFAULTS, enableXids: [48] },
    ],
    [
      'enable all: every XID critical',
      { DP_ENABLE_HEALTHCHECKS: 'all' },
      { disabled: false, skipXids: [], enableXids: [] },
    ],
    [
      'enable all beats disable all',
      { DP_DISABLE_HEALTHCHECKS: 'all', DP_ENABLE_HEALTHCHECKS: 'all' },
      { disabled: false, skipXids: [], enableXids: [] },
    ],
    [
      'disable all with an enable list stays off, as in NVIDIA',
      { DP_DISABLE_HEALTHCHECKS: 'all', DP_ENABLE_HEALTHCHECKS: '48' },
      { disabled: true, skipXids: DEFAULTS, enableXids: [48] },
    ],
  ])('%s', (_name, env, expected) => {
    expect(health(env)).toEqual({ ...expected, recoveryMs: 1000 });
  });

  test('warns when an enable list cannot take effect because checks are off', () => {
    const warnings: string[] = [];
    health({ DP_DISABLE_HEALTHCHECKS: 'all', DP_ENABLE_HEALTHCHECKS: '48' }, warnings);
    expect(warnings).toEqual([
      expect.stringMatching(
        /DP_DISABLE_HEALTHCHECKS=all turns health checks off, so DP_ENABLE_HEALTHCHECKS=48 has no effect/,
      ),
    ]);
  });

  test('does not warn in the ordinary cases', () => {
    const warnings: string[] = [];
    health({ DP_DISABLE_HEALTHCHECKS: '48', DP_ENABLE_HEALTHCHECKS: '31' }, warnings);
    expect(warnings).toEqual([]);
  });

  test.each([
    ['DP_DISABLE_HEALTHCHECKS', 'abc'],
    ['DP_DISABLE_HEALTHCHECKS', '0'],
    ['DP_DISABLE_HEALTHCHECKS', '4.5'],
    ['DP_ENABLE_HEALTHCHECKS', 'none'],
    ['DP_ENABLE_HEALTHCHECKS', '-1'],
  ])('rejects %s=%s, naming the variable and the token', (name, token) => {
    const call = () => health({ [name]: `13,${token}` });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(new RegExp(`environment variable ${name} has "${token.replace('.', '\\.')}"`));
  });
});
