/** The captured NVIDIA records: canonical on disk, and refused with what to run when they do not fit. */
import { readNvidiaRecord, serialiseRecord } from '../../parity/nvidia-record';
import type { ParityRecord } from '../../parity/record';
import { scenario } from '../../parity/scenarios';

test('a record is written with sorted keys, two-space indentation and a final newline', () => {
  const record = {
    scenario: 's',
    resources: [],
    allocate: [{ resource: 'r', ids: ['b', 'a'], response: [{ envs: { B: '1', A: '2' } }] }],
  } as ParityRecord;
  const text = serialiseRecord(record);
  expect(text.endsWith('}\n')).toBe(true);
  expect(text.indexOf('"allocate"')).toBeLessThan(text.indexOf('"resources"'));
  expect(text.indexOf('"A"')).toBeLessThan(text.indexOf('"B"'));
  // Arrays keep their order: ids are what was asked, in the order asked.
  expect(JSON.parse(text).allocate[0].ids).toEqual(['b', 'a']);
  expect(text).toContain('\n  "allocate": [\n');
});

test('a committed record reads back to the same canonical text', () => {
  const s = scenario('default');
  const record = readNvidiaRecord(s);
  expect(serialiseRecord(JSON.parse(serialiseRecord(record)) as ParityRecord)).toBe(serialiseRecord(record));
});

test('a scenario without a captured record fails and says to run parity:record', () => {
  expect(() => readNvidiaRecord({ ...scenario('default'), name: 'no-such-scenario' })).toThrow(
    /no captured NVIDIA record .*npm run parity:record/,
  );
});

test('a record captured for other Allocate calls than the scenario makes is refused', () => {
  const changed = { ...scenario('default'), allocate: [{ resource: 'nvidia.com/gpu', ids: ['GPU-x'] }] };
  expect(() => readNvidiaRecord(changed)).toThrow(/captured for other Allocate calls .*npm run parity:record/);
});
