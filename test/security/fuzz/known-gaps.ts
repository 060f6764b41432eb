// Declared gaps: kinds of invalid output the fuzzers found that the constructs do not
// refuse yet, each with its reason and owner (test/security/fuzz-known-gaps.txt). A case
// whose output is invalid only in declared ways passes and is counted; anything else
// fails. A gap no case hit any more fails too, so a fix removes its line.
import * as fs from 'fs';
import * as path from 'path';

/** The gaps file. */
export const GAPS_FILE = path.join(__dirname, '..', 'fuzz-known-gaps.txt');

/** One declared gap. */
export interface KnownGap {
  readonly line: number;
  readonly construct: string;
  readonly pattern: RegExp;
  readonly reason: string;
}

/** Parses gaps text: `<construct> | <regex over one problem> | <reason>`; throws on a bad line. */
export function parseGaps(text: string, file = GAPS_FILE): KnownGap[] {
  const out: KnownGap[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(' | ');
    if (parts.length !== 3 || parts.some((p) => p.trim() === '')) {
      throw new Error(`${file}:${i + 1}: expected "<construct> | <regex> | <reason>" (got "${line}")`);
    }
    const [construct, source, reason] = parts.map((p) => p.trim());
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: the pattern is no regular expression: ${(e as Error).message}`);
    }
    out.push({ line: i + 1, construct, pattern, reason });
  });
  return out;
}

/** The declared gaps, with how often each excused a problem. */
export class KnownGaps {
  /** The checked-in gaps. */
  public static load(): KnownGaps {
    return new KnownGaps(parseGaps(fs.readFileSync(GAPS_FILE, 'utf-8')));
  }

  private readonly hits = new Map<KnownGap, number>();

  constructor(public readonly gaps: KnownGap[]) {}

  /** The problems no gap of `construct` declares; counts a hit for each declared one. */
  public excuse(construct: string, problems: string[]): string[] {
    const unknown: string[] = [];
    for (const p of problems) {
      const gap = this.gaps.find((g) => g.construct === construct && g.pattern.test(p));
      if (gap) this.hits.set(gap, (this.hits.get(gap) ?? 0) + 1);
      else unknown.push(p);
    }
    return unknown;
  }

  /** Gaps of `construct` that excused nothing in this run. */
  public unused(construct: string): KnownGap[] {
    return this.gaps.filter((g) => g.construct === construct && !this.hits.has(g));
  }

  /** `line N (hits): pattern` for each gap of `construct`, for the test log. */
  public summary(construct: string): string[] {
    return this.gaps
      .filter((g) => g.construct === construct)
      .map((g) => `line ${g.line}: ${this.hits.get(g) ?? 0} problems /${g.pattern.source}/`);
  }
}
