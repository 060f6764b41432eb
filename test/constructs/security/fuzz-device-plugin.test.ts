import fc from 'fast-check';
import { GpuDevicePlugin } from '../../../src';
import { devicePluginProps, devicePluginSpec } from '../../security/fuzz/device-plugin-props';
import { KnownGaps } from '../../security/fuzz/known-gaps';
import { cleanOutdir, propNames, synthesizeOrThrow, synthesizeYaml } from '../../security/fuzz/oracle';
import { DEFAULT_SEED, runFuzz } from '../../security/fuzz/run-fuzz';
import { leastPrivilegeProblems } from '../../security/least-privilege';

// Random GpuDevicePlugin props: objects valid for the schema, the API server's rules and
// least privilege, or an Error naming a prop (test/security/fuzz/oracle.ts).

const RUNS = 5000;
/** The fuzzer's own keys, as errors about them name them. */
const RENAME = {
  config: '',
  gpu: 'resource',
  shared: 'resource',
  mig: 'MIG profile',
  of: 'resource name',
  project: 'image',
  nvidia: 'image',
  reference: 'image',
  kind: 'image',
  affinityProduct: 'affinity',
};

// A few seconds here; generous for a loaded CI machine.
const FUZZ_TIMEOUT_MS = 180_000;
const gaps = KnownGaps.load();
afterAll(cleanOutdir);

test(
  `${RUNS} random GpuDevicePlugin props synthesize valid, least-privilege objects or name the bad prop`,
  () => {
    const tally = runFuzz(
      {
        construct: 'GpuDevicePlugin',
        arbitrary: devicePluginSpec,
        runs: RUNS,
        build: (scope, spec) => new GpuDevicePlugin(scope, 'Plugin', devicePluginProps(spec)),
        names: (spec) => propNames(spec, RENAME),
        extra: (_spec, objs) => leastPrivilegeProblems(objs),
      },
      gaps,
    );
    // Both sides of the contract must be exercised, and valid output must dominate the gaps.
    expect(tally.counts.synthesized).toBeGreaterThan(RUNS / 4);
    expect(tally.counts.refused).toBeGreaterThan(RUNS / 10);
  },
  FUZZ_TIMEOUT_MS,
);

test('every known GpuDevicePlugin gap is still hit (remove the line once it is fixed)', () => {
  expect(gaps.unused('GpuDevicePlugin').map((g) => `line ${g.line}: ${g.pattern.source}`)).toEqual([]);
});

test('the fuzzer reads objects before YAML exactly as cdk8s synth writes them', () => {
  for (const spec of fc.sample(devicePluginSpec, { numRuns: 200, seed: DEFAULT_SEED })) {
    const build = (scope: any) => new GpuDevicePlugin(scope, 'Plugin', devicePluginProps(spec));
    const outcome = synthesizeOrThrow(build);
    if ('refused' in outcome) continue;
    expect(JSON.parse(JSON.stringify(outcome.synthesized))).toEqual(synthesizeYaml(build));
  }
});
