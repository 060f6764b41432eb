/**
 * The live parity run: NVIDIA's real binary and ours, each scenario on the same fake node,
 * compared directly; NVIDIA's live answers are also compared with the captured record that
 * the jest parity test uses (test/fixtures/parity/, written by `npm run parity:record`), so
 * that record cannot drift from the binary. Fails (exit 1) when NVIDIA's binary cannot be
 * built, on any difference not documented in docs/parity.md, on a documented difference a
 * scenario no longer shows, and when the captured record differs from a fresh capture.
 *
 * Run: npm run parity:live [-- SCENARIO…]  (NVIDIA_DEVICE_PLUGIN_BIN=/path/to/nvidia-device-plugin
 * to use a binary built elsewhere). Needs root: NVIDIA's plugin runs in a private mount namespace.
 */
import '../../bench/support/nodenext-resolve';
import { captureScenario } from './capture';
import { compareRecords, describe } from './compare';
import { KNOWN_DIFFERENCES, notShown, unexplained } from './differences';
import { nvidiaRecordPath, readNvidiaRecord, serialiseRecord, staleNvidiaRecords } from './nvidia-record';
import { nvidiaPluginBinary } from './plugin-process';
import { selectScenarios, SCENARIOS } from './scenarios';
import { runMain } from '../helpers/run-main';

const indent = (text: string): string => text.replace(/^/gm, '    ');

async function main(): Promise<number> {
  const started = Date.now();
  const scenarios = selectScenarios(process.argv.slice(2));
  try {
    process.stdout.write(`NVIDIA's plugin: ${nvidiaPluginBinary()}\n`);
  } catch (err) {
    process.stderr.write(`parity:live: ${(err as Error).message}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    return 1;
  }
  let passed = 0;
  let failed = 0;
  let calls = 0;
  let documented = 0;
  const shown = new Set<string>();
  for (const scenario of scenarios) {
    const problems: string[] = [];
    try {
      const nvidia = await captureScenario('nvidia', scenario);
      const ours = await captureScenario('ours', scenario);
      calls += nvidia.allocate.length;
      const diffs = compareRecords(ours, nvidia);
      const undocumented = unexplained(diffs);
      documented += diffs.length - undocumented.length;
      for (const k of KNOWN_DIFFERENCES) if (diffs.some((d) => k.matches(d))) shown.add(k.id);
      if (undocumented.length)
        problems.push(
          `ours vs NVIDIA (undocumented; fix our plugin or document it in docs/parity.md and test/parity/differences.ts):\n${indent(describe(undocumented))}`,
        );
      const gone = notShown(scenario.name, diffs);
      if (gone.length)
        problems.push(`documented differences this scenario no longer shows: ${gone.map((k) => k.id).join(', ')}`);
      let committed: ReturnType<typeof readNvidiaRecord> | undefined;
      try {
        committed = readNvidiaRecord(scenario);
      } catch (err) {
        problems.push((err as Error).message);
      }
      if (committed && serialiseRecord(committed) !== serialiseRecord(nvidia)) {
        const drift = compareRecords(committed, nvidia);
        problems.push(
          `the captured record ${nvidiaRecordPath(scenario.name)} differs from NVIDIA's answers now; run \`npm run parity:record\` and commit it:\n` +
            indent(describe(drift).replace(/ours=/g, 'recorded=') || '(same fields, different order or form)'),
        );
      }
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (problems.length === 0) {
      passed++;
      process.stdout.write(`ok   ${scenario.name}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${scenario.name}\n${indent(problems.join('\n'))}\n`);
    }
  }
  if (scenarios === SCENARIOS) {
    const stale = staleNvidiaRecords(SCENARIOS);
    if (stale.length) {
      failed++;
      process.stdout.write(
        `FAIL captured records of no scenario: ${stale.join(', ')}; run \`npm run parity:record\` (it removes them)\n`,
      );
    }
  }
  process.stdout.write(
    `${passed} passed, ${failed} failed; ${calls} Allocate calls compared; ${documented} fields differ as documented ` +
      `(${shown.size} documented differences: ${[...shown].join(', ') || 'none'}); ` +
      `${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  return failed === 0 ? 0 : 1;
}

runMain(main);
