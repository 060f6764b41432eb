/**
 * Every way our plugin's answers deliberately differ from NVIDIA's v0.20.0, with the
 * scenarios that show it. docs/parity.md explains each one under its id; the parity test
 * fails on any difference not listed here and on any entry no scenario shows any more.
 */
import type { Difference } from './compare';

export interface KnownDifference {
  /** Heading id in docs/parity.md. */
  id: string;
  summary: string;
  matches(d: Difference): boolean;
  /** Scenarios that must show it (so an entry cannot outlive the difference). */
  shownBy: string[];
}

const isErrorPath = (field: 'code' | 'message') => (d: Difference) => /^allocate\[\d+\]\.error\./.test(d.path) && d.path.endsWith(`.${field}`);

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'refusal-status-code',
    summary: 'a refused Allocate answers INVALID_ARGUMENT where NVIDIA answers UNKNOWN',
    matches: (d) => isErrorPath('code')(d) && d.ours === 'INVALID_ARGUMENT' && d.nvidia === 'UNKNOWN',
    shownBy: ['default', 'time-slicing', 'time-slicing-renamed-strict', 'mig-mixed'],
  },
  {
    id: 'refusal-message',
    summary: 'a refused Allocate names every offending ID and says what to do',
    matches: (d) => isErrorPath('message')(d) && typeof d.ours === 'string' && d.ours.length > 0,
    shownBy: ['default', 'time-slicing', 'time-slicing-renamed-strict', 'mig-mixed'],
  },
];

/** The differences no known entry explains. */
export function unexplained(diffs: readonly Difference[]): Difference[] {
  return diffs.filter((d) => !KNOWN_DIFFERENCES.some((k) => k.matches(d)));
}

/** Known entries that claim to be shown by `scenario` but matched none of its differences. */
export function notShown(scenario: string, diffs: readonly Difference[]): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter((k) => k.shownBy.includes(scenario) && !diffs.some((d) => k.matches(d)));
}
