import { KnownGaps } from '../../security/fuzz/known-gaps';
import { OPERATOR_RENAME, buildOperatorStack, operatorStackSpec } from '../../security/fuzz/operator-stack-props';
import { cleanOutdir, propNames } from '../../security/fuzz/oracle';
import { runFuzz } from '../../security/fuzz/run-fuzz';
import { leastPrivilegeProblems } from '../../security/least-privilege';

// Random GpuOperatorStack props: objects valid for the schema (core kinds; the custom
// resources get the API server's metadata rules) and least privilege for this project's
// plugin when it replaces NVIDIA's, or an Error naming a prop (test/security/fuzz/oracle.ts).

const RUNS = 2500;
// A few seconds here; generous for a loaded CI machine.
const FUZZ_TIMEOUT_MS = 180_000;
const gaps = KnownGaps.load();
afterAll(cleanOutdir);

test(
  `${RUNS} random GpuOperatorStack props synthesize valid objects or name the bad prop`,
  () => {
    const tally = runFuzz(
      {
        construct: 'GpuOperatorStack',
        arbitrary: operatorStackSpec,
        runs: RUNS,
        build: (scope, spec) => buildOperatorStack(scope, spec),
        names: (spec) => propNames(spec, OPERATOR_RENAME),
        extra: (_spec, objs) => leastPrivilegeProblems(objs),
      },
      gaps,
    );
    expect(tally.counts.synthesized).toBeGreaterThan(RUNS / 4);
    expect(tally.counts.refused).toBeGreaterThan(RUNS / 10);
  },
  FUZZ_TIMEOUT_MS,
);

test('every known GpuOperatorStack gap is still hit (remove the line once it is fixed)', () => {
  expect(gaps.unused('GpuOperatorStack').map((g) => `line ${g.line}: ${g.pattern.source}`)).toEqual([]);
});
