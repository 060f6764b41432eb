/**
 * Our plugin, run as a real process on the fake NVML and registered with the test kubelet,
 * against NVIDIA's k8s-device-plugin v0.20.0 for the same node, config and requests:
 * resource names, endpoints, options, device IDs and NUMA topology in ListAndWatch, and
 * Allocate answers (responses and refusals). NVIDIA's side is the reference record written
 * from its source (test/parity/nvidia-reference.ts) because the Go module proxy here refuses
 * the module; `npm run parity:live` runs the real binary where it can be built.
 * Every difference must be a documented one (test/parity/differences.ts, docs/parity.md).
 */
import { captureScenario } from '../../parity/capture';
import { compareRecords, describe as describeDiffs } from '../../parity/compare';
import { notShown, unexplained } from '../../parity/differences';
import { nvidiaReference } from '../../parity/nvidia-reference';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';
import { SCENARIOS } from '../../parity/scenarios';

beforeAll(() => ensureOurPluginBuilt(), 180000);

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  let diffs: ReturnType<typeof compareRecords>;

  beforeAll(async () => {
    diffs = compareRecords(await captureScenario('ours', scenario), nvidiaReference(scenario));
  }, 60000);

  test('answers like NVIDIA v0.20.0 apart from documented differences', () => {
    expect(describeDiffs(unexplained(diffs))).toBe('');
  });

  test('still shows each documented difference it is listed for', () => {
    expect(notShown(scenario.name, diffs).map((k) => k.id)).toEqual([]);
  });
});
