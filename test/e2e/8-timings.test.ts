/**
 * Issue test 8: the timing figures the earlier files recorded in this run, printed as a
 * table with bars against each limit. It fails when a required figure is missing (its test
 * did not run or did not get that far) or over its limit.
 */
import { readTimings, Timing } from './helpers/plugin';

const REQUIRED = [
  /^DaemonSet created → node allocatable/,
  /^kubelet restart → plugin registered again/,
  /^kubelet restart → node allocatable 8 again/,
  /^XID \d+ injected → node allocatable 7/,
];

function figure(timings: Timing[]): string {
  const width = Math.max(...timings.map((t) => t.name.length));
  const bar = (t: Timing): string => {
    const cells = 30;
    const filled = Math.min(cells, Math.max(1, Math.round((t.ms / t.limitMs) * cells)));
    return `${'█'.repeat(filled)}${'·'.repeat(cells - filled)}`;
  };
  const rows = timings.map(
    (t) =>
      `  ${t.name.padEnd(width)}  ${(t.ms / 1000).toFixed(2).padStart(6)} s  ${bar(t)}  limit ${(t.limitMs / 1000).toFixed(0)} s`,
  );
  return ['', 'e2e timings (this run; bar = share of the limit)', ...rows, ''].join('\n');
}

test('the timing figures of this run are printed, each within its limit', () => {
  const timings = readTimings();
  process.stdout.write(`${figure(timings.length ? timings : [{ name: '(none recorded)', ms: 0, limitMs: 1 }])}\n`);
  for (const pattern of REQUIRED) expect(timings.map((t) => t.name)).toContainEqual(expect.stringMatching(pattern));
  for (const t of timings)
    expect({ name: t.name, withinLimit: t.ms <= t.limitMs }).toEqual({ name: t.name, withinLimit: true });
});
