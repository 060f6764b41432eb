// What every fuzzed construct must do with its props: synthesize objects a cluster would
// accept, or throw an Error that names one of the props it was given. Never invalid output
// in silence, never a TypeError from deep inside cdk8s.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { KNOWN_KINDS, validateK8sObjects } from '../../constructs/helpers/k8s-schema';
import { semanticProblems } from '../k8s-semantics';
import { KnownGaps } from './known-gaps';

// One output directory for every case: Testing.app() makes a temporary directory per app,
// which thousands of cases would leave behind. synthYaml() writes nothing there.
const OUTDIR = path.join(os.tmpdir(), 'cdk8s-gpu-fuzz');
const KNOWN = new Set(KNOWN_KINDS);

/** What happened to one case. */
export type Outcome = { readonly synthesized: any[] } | { readonly refused: Error };

/** Tallies of a fuzz run, printed at the end so the log shows how much was tried. */
export class Tally {
  public readonly counts: { [v in Verdict]: number } = { synthesized: 0, refused: 0, 'known-gap': 0 };
  public add(v: Verdict): void {
    this.counts[v]++;
  }
  public get total(): number {
    return this.counts.synthesized + this.counts.refused + this.counts['known-gap'];
  }
  public line(what: string, ms: number): string {
    return (
      `fuzz ${what}: ${this.total} cases: ${this.counts.synthesized} synthesized and valid, ` +
      `${this.counts.refused} refused naming a prop, ${this.counts['known-gap']} invalid only in declared known gaps ` +
      `(test/security/fuzz-known-gaps.txt), in ${(ms / 1000).toFixed(1)} s`
    );
  }
}

/**
 * Builds into a fresh chart and synthesizes as `cdk8s synth` does (every construct's
 * validations, then the chart's objects); a throw is the outcome. The objects are taken
 * before YAML, which `synthYaml` would only print and a parser read back: parsing the YAML
 * of a whole GpuOperatorStack costs more than building it, ten thousand times over.
 */
export function synthesizeOrThrow(build: (scope: Construct) => void): Outcome {
  try {
    const app = new App({ outdir: OUTDIR });
    const chart = new Chart(app, 'fuzz', { disableResourceNameHashes: true });
    build(chart);
    const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
    if (errors.length > 0) {
      throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
    }
    return { synthesized: chart.toJson() };
  } catch (e) {
    return { refused: e as Error };
  }
}

/** The same objects as YAML and back, to check that the faster path above loses nothing. */
export function synthesizeYaml(build: (scope: Construct) => void): any[] {
  const app = new App({ outdir: OUTDIR });
  build(new Chart(app, 'fuzz', { disableResourceNameHashes: true }));
  return YAML.parseAllDocuments(app.synthYaml())
    .map((d) => d.toJS())
    .filter((o) => o);
}

/**
 * Every key of a props spec, nested ones too: the names an error may cite. `rename` maps
 * the fuzzer's own keys (e.g. `mig` for a MigProfile built in the case) to what an error
 * about them says (alternatives separated by '|'); a key renamed to '' is left out.
 */
export function propNames(
  spec: unknown,
  rename: { [key: string]: string } = {},
  out: Set<string> = new Set(),
): Set<string> {
  if (Array.isArray(spec)) {
    spec.forEach((v) => propNames(v, rename, out));
  } else if (spec !== null && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      if (v === undefined) continue;
      // A rename may give alternatives: 'name|id'.
      // Own keys only: a fuzzed key such as "toString" must not find Object.prototype's.
      const renamed = Object.prototype.hasOwnProperty.call(rename, k) ? rename[k] : k;
      for (const name of renamed.split('|')) {
        if (name !== '') out.add(name);
      }
      propNames(v, rename, out);
    }
  }
  return out;
}

function namesWord(message: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z])${escaped}([^A-Za-z]|$)`, 'i').test(message);
}

/** Each complaint of the Kubernetes schema, one line per field, prefixed with the object. */
function schemaProblems(objects: any[]): string[] {
  const out: string[] = [];
  for (const o of objects.filter((x) => KNOWN.has(`${x.apiVersion}/${x.kind}`))) {
    try {
      validateK8sObjects([o]);
    } catch (e) {
      const detail = (e as Error).message.split('): ').slice(1).join('): ');
      for (const field of detail.split(/, (?=data\/)/))
        out.push(`${o.kind} "${o.metadata?.name}": schema: ${field.trim()}`);
    }
  }
  return out;
}

/** What a case came to: refused properly, valid output, or output with only known gaps. */
export type Verdict = 'refused' | 'synthesized' | 'known-gap';

/**
 * Throws (a failed property) unless the outcome is acceptable: a refusal is a plain Error
 * whose message names one of `names` (case-insensitive, as a word); output passes the
 * Kubernetes schema of every known kind, the apiserver's own rules and `extra` checks, or
 * breaks them only in ways `gaps` declares for `construct`.
 */
export function judge(
  construct: string,
  outcome: Outcome,
  names: Set<string>,
  gaps: KnownGaps,
  extra: (objs: any[]) => string[] = () => [],
): Verdict {
  if ('refused' in outcome) {
    const e = outcome.refused;
    if (!(e instanceof Error) || e.constructor !== Error) {
      throw new Error(
        `crashed instead of refusing: ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : String(e)}`,
      );
    }
    if (![...names].some((n) => namesWord(e.message, n))) {
      throw new Error(`refused without naming a prop (given ${[...names].join(', ')}): ${e.message}`);
    }
    return 'refused';
  }
  return judgeObjects(construct, outcome.synthesized, gaps, extra);
}

/** Output alone: valid, invalid only in declared gaps, or a thrown list of the problems. */
export function judgeObjects(
  construct: string,
  objects: any[],
  gaps: KnownGaps,
  extra: (objs: any[]) => string[] = () => [],
): Verdict {
  const problems = [...schemaProblems(objects), ...semanticProblems(objects), ...extra(objects)];
  if (problems.length === 0) return 'synthesized';
  const unknown = gaps.excuse(construct, problems);
  if (unknown.length > 0) {
    throw new Error(`synthesized objects a cluster would refuse:\n  ${unknown.join('\n  ')}`);
  }
  return 'known-gap';
}

/** True when `message` names `name` as a word (case-insensitive). */
export function namesProp(message: string, names: Set<string>): boolean {
  return [...names].some((n) => namesWord(message, n));
}

/** Removes the shared output directory (nothing should be there; this is belt and braces). */
export function cleanOutdir(): void {
  fs.rmSync(OUTDIR, { recursive: true, force: true });
}
