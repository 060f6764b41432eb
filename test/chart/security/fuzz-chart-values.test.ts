import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { CHART_DIR, RELEASE, helm, helmWorkDir, parseObjects, writeValues } from '../helm';
import { chartValuesArbitrary } from '../../security/fuzz/chart-values';
import { KnownGaps } from '../../security/fuzz/known-gaps';
import { Tally, judgeObjects, namesProp, propNames } from '../../security/fuzz/oracle';
import { fuzzSeed } from '../../security/fuzz/run-fuzz';
import { leastPrivilegeProblems } from '../../security/least-privilege';

// Random chart values, generated from values.schema.json: `helm template` renders objects
// valid for the schema, the API server's rules and least privilege, or refuses with a
// message that names one of the keys given; never a template crash. Each case runs the
// real helm (60 to 150 ms on a shared machine), so a couple of hundred cases.

const RUNS = 200;
// Go template failures that mean the chart itself broke on values its schema let through.
const TEMPLATE_CRASH =
  /nil pointer evaluating|can't evaluate field|wrong type for value|error calling \w+|invalid value; expected/;

const gaps = KnownGaps.load();
const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf-8'));
const work = helmWorkDir('chart-fuzz-');

test(
  `${RUNS} random chart values render valid objects or are refused naming a key`,
  () => {
    const tally = new Tally();
    const start = Date.now();
    let n = 0;
    fc.assert(
      fc.property(chartValuesArbitrary(schema), (values) => {
        const file = writeValues(work.path, `case-${n++}`, values);
        const r = helm(['template', RELEASE.name, CHART_DIR, '--namespace', RELEASE.namespace, '--values', file]);
        if (r.status === 0) {
          tally.add(
            judgeObjects('chart', parseObjects(r.stdout), gaps, (objs) =>
              leastPrivilegeProblems(objs, { hostNetworkAllowed: values.hostNetwork === true }),
            ),
          );
          return;
        }
        if (TEMPLATE_CRASH.test(r.stderr)) throw new Error(`helm template crashed instead of refusing:\n${r.stderr}`);
        const names = propNames(values);
        if (!namesProp(r.stderr, names))
          throw new Error(`helm refused without naming a key (given ${[...names].join(', ')}):\n${r.stderr}`);
        tally.add('refused');
      }),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
    console.log(
      [
        tally.line(`chart values (seed ${fuzzSeed()})`, Date.now() - start),
        ...gaps.summary('chart').map((s) => `  known gap ${s}`),
      ].join('\n'),
    );
    expect(tally.counts.synthesized).toBeGreaterThan(RUNS / 4);
    expect(tally.counts.refused).toBeGreaterThan(RUNS / 20);
  },
  10 * 60 * 1000,
);

test('every known chart gap is still hit (remove the line once it is fixed)', () => {
  expect(gaps.unused('chart').map((g) => `line ${g.line}: ${g.pattern.source}`)).toEqual([]);
});
