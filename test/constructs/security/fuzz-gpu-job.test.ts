import { KnownGaps } from '../../security/fuzz/known-gaps';
import { GPU_JOB_RENAME, buildGpuJob, gpuJobSpec, restrictedByDefault } from '../../security/fuzz/gpu-job-props';
import { cleanOutdir, propNames } from '../../security/fuzz/oracle';
import { runFuzz } from '../../security/fuzz/run-fuzz';
import { leastPrivilegeProblems } from '../../security/least-privilege';

// Random GpuJob props and extra containers: a Job valid for the schema and the API
// server's rules, whose pod passes Pod Security `restricted` whenever the security props
// are left at their defaults, or an Error naming a prop (test/security/fuzz/oracle.ts).

const RUNS = 5000;
// A few seconds here; generous for a loaded CI machine.
const FUZZ_TIMEOUT_MS = 180_000;
const gaps = KnownGaps.load();
afterAll(cleanOutdir);

test(
  `${RUNS} random GpuJob props synthesize a valid, restricted-by-default Job or name the bad prop`,
  () => {
    const tally = runFuzz(
      {
        construct: 'GpuJob',
        arbitrary: gpuJobSpec,
        runs: RUNS,
        build: (scope, spec) => buildGpuJob(scope, spec),
        names: (spec) => propNames(spec, GPU_JOB_RENAME),
        extra: (spec, objs) =>
          leastPrivilegeProblems(objs, {
            restrictedJobs: restrictedByDefault(spec),
            jobTokenAllowed: spec.automountServiceAccountToken === true,
          }),
      },
      gaps,
    );
    expect(tally.counts.synthesized).toBeGreaterThan(RUNS / 5);
    expect(tally.counts.refused).toBeGreaterThan(RUNS / 10);
  },
  FUZZ_TIMEOUT_MS,
);

test('every known GpuJob gap is still hit (remove the line once it is fixed)', () => {
  expect(gaps.unused('GpuJob').map((g) => `line ${g.line}: ${g.pattern.source}`)).toEqual([]);
});
