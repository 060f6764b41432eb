/**
 * Our plugin, run as a real process on the fake NVML and registered with the test kubelet,
 * against NVIDIA's k8s-device-plugin v0.20.0 for the same node, config and requests:
 * resource names, endpoints, options, device IDs and NUMA topology in ListAndWatch, and
 * Allocate answers (responses and refusals). NVIDIA's side is the record captured from its
 * real binary by `npm run parity:record` (test/fixtures/parity/nvidia-device-plugin-<version>/);
 * `npm run parity:live` runs both binaries side by side and checks that record is still what
 * the binary answers. Every difference must be a documented one (test/parity/differences.ts,
 * docs/parity.md).
 */
import { captureScenario } from '../../parity/capture';
import { compareRecords, describe as describeDiffs } from '../../parity/compare';
import { KNOWN_DIFFERENCES, notShown, unexplained } from '../../parity/differences';
import { readNvidiaRecord, staleNvidiaRecords } from '../../parity/nvidia-record';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';
import { SCENARIOS } from '../../parity/scenarios';

beforeAll(() => ensureOurPluginBuilt(), 180000);

test('every captured NVIDIA record belongs to a scenario', () => {
  expect(staleNvidiaRecords(SCENARIOS)).toEqual([]);
});

test('every documented difference is shown by at least one existing scenario', () => {
  const names = new Set(SCENARIOS.map((s) => s.name));
  for (const k of KNOWN_DIFFERENCES) {
    expect([k.id, k.shownBy.length > 0 && k.shownBy.every((n) => names.has(n))]).toEqual([k.id, true]);
  }
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  let diffs: ReturnType<typeof compareRecords>;

  beforeAll(async () => {
    // Read first: a missing or outdated record fails with what to run, before our plugin starts.
    const nvidia = readNvidiaRecord(scenario);
    diffs = compareRecords(await captureScenario('ours', scenario), nvidia);
  }, 60000);

  test('answers like NVIDIA v0.20.0 apart from documented differences', () => {
    expect(describeDiffs(unexplained(diffs))).toBe('');
  });

  test('still shows each documented difference it is listed for', () => {
    expect(notShown(scenario.name, diffs).map((k) => k.id)).toEqual([]);
  });
});
