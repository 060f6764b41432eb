// The checked-in list of kube-score findings we accept (kube-score has no config file,
// only global --ignore-test flags, which would hide a finding on every object). Each
// exception names the check, where it applies and the object, and says why.
import * as fs from 'fs';
import * as path from 'path';
import { Finding } from './kube-score';

/** The exceptions file. */
export const EXCEPTIONS_FILE = path.join(__dirname, 'kube-score-exceptions.txt');

/** One accepted finding. */
export interface LintException {
  /** Line in the exceptions file, to point at it. */
  readonly line: number;
  readonly check: string;
  /** Glob over the finding's source: `dist/*`, `chart/static-cpu-manager`, `*`. */
  readonly source: string;
  readonly kind: string;
  /** `app.kubernetes.io/component` of the object. */
  readonly component: string;
  readonly reason: string;
}

// <check id> <source glob> <Kind>/<component> <reason: at least a few words>
const LINE_RE = /^(\S+)\s+(\S+)\s+([A-Za-z]+)\/(\S+)\s+(\S.*)$/;
const MIN_REASON_WORDS = 5;

/** Parses exceptions text; throws on the first malformed line, naming it. */
export function parseExceptions(text: string, file = EXCEPTIONS_FILE): LintException[] {
  const out: LintException[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE_RE.exec(line);
    if (!m) {
      throw new Error(
        `${file}:${i + 1}: expected "<check id> <source glob> <Kind>/<component> <reason>" (got "${line}")`,
      );
    }
    const [, check, source, kind, component, reason] = m;
    if (reason.split(/\s+/).length < MIN_REASON_WORDS) {
      throw new Error(
        `${file}:${i + 1}: the reason for ${check} must say why in at least ${MIN_REASON_WORDS} words (got "${reason}")`,
      );
    }
    out.push({ line: i + 1, check, source, kind, component, reason });
  });
  return out;
}

/** The exceptions of the checked-in file. */
export function loadExceptions(): LintException[] {
  return parseExceptions(fs.readFileSync(EXCEPTIONS_FILE, 'utf-8'));
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/** True when `e` excuses `f`. */
export function excuses(e: LintException, f: Finding): boolean {
  return e.check === f.check && glob(e.source, f.source) && e.kind === f.kind && glob(e.component, f.component);
}

/** Splits findings into excused and not, and tells which exceptions were used. */
export function applyExceptions(
  findings: Finding[],
  exceptions: LintException[],
): { unexcused: Finding[]; used: Set<LintException> } {
  const used = new Set<LintException>();
  const unexcused: Finding[] = [];
  for (const f of findings) {
    const e = exceptions.find((x) => excuses(x, f));
    if (e) used.add(e);
    else unexcused.push(f);
  }
  return { unexcused, used };
}
