import { FsGroupChangePolicy } from 'cdk8s-plus-28';
import { resolveSecurity } from '../../../src/workloads/security';

describe('resolveSecurity', () => {
  test('resolves every default once', () => {
    expect(resolveSecurity({})).toEqual({
      pod: {
        ensureNonRoot: true,
        user: 1000,
        group: 1000,
        fsGroup: 1000,
        fsGroupChangePolicy: FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
      container: {
        ensureNonRoot: true,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  });

  test('keeps uid 0 when runAsNonRoot is off', () => {
    expect(resolveSecurity({ runAsNonRoot: false, runAsUser: 0 }).pod).toMatchObject({ ensureNonRoot: false, user: 0 });
  });

  test.each([
    [
      { runAsUser: 0 },
      'runAsUser must not be 0 (root) while runAsNonRoot is true (got runAsUser 0); pick a non-zero uid or set runAsNonRoot: false',
    ],
    [{ runAsUser: 1.5 }, 'runAsUser must be a whole number ≥ 0 (got 1.5)'],
    [{ runAsGroup: -1 }, 'runAsGroup must be a whole number ≥ 0 (got -1)'],
    [{ fsGroup: 0.1 }, 'fsGroup must be a whole number ≥ 0 (got 0.1)'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveSecurity(options)).toThrow(message);
  });
});
