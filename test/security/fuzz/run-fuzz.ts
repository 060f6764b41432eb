// Runs one construct fuzzer: fast-check generates specs, each case is built, synthesized
// and judged (oracle.ts), and the tally and gap hits are printed for the test log.
import fc from 'fast-check';
import { Construct } from 'constructs';
import { KnownGaps } from './known-gaps';
import { Tally, judge, synthesizeOrThrow } from './oracle';

/**
 * The seed of every run unless FUZZ_SEED is set: the same cases each time, so a CI failure
 * reproduces and the known-gap lines are hit deterministically. Set FUZZ_SEED to explore
 * (`FUZZ_SEED=$RANDOM npx jest test/constructs/security --selectProjects constructs`).
 */
export const DEFAULT_SEED = 20251126;

/** One construct under fuzz. */
export interface FuzzTarget<S> {
  /** The construct's name, as the gaps file spells it. */
  readonly construct: string;
  readonly arbitrary: fc.Arbitrary<S>;
  readonly runs: number;
  /** Builds the construct from a spec (factories included). */
  build(scope: Construct, spec: S): void;
  /** The prop names a refusal of this spec may cite. */
  names(spec: S): Set<string>;
  /** Rules beyond the schema for this spec's output, e.g. least privilege. */
  extra?(spec: S, objects: any[]): string[];
}

/** The seed in use. */
export function fuzzSeed(): number {
  return process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
}

/** Runs `target.runs` cases; throws fast-check's report (seed, shrunk case) on a failure. */
export function runFuzz<S>(target: FuzzTarget<S>, gaps: KnownGaps): Tally {
  const tally = new Tally();
  const start = Date.now();
  fc.assert(
    fc.property(target.arbitrary, (spec) => {
      const outcome = synthesizeOrThrow((scope) => target.build(scope, spec));
      tally.add(judge(target.construct, outcome, target.names(spec), gaps, (objs) => target.extra?.(spec, objs) ?? []));
    }),
    { numRuns: target.runs, seed: fuzzSeed() },
  );
  console.log(
    [
      tally.line(`${target.construct} (seed ${fuzzSeed()})`, Date.now() - start),
      ...gaps.summary(target.construct).map((s) => `  known gap ${s}`),
    ].join('\n'),
  );
  return tally;
}
