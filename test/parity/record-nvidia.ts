/**
 * `npm run parity:record`: runs NVIDIA's real plugin (test/tools/nvidia-plugin.sh) on every
 * parity scenario and writes what it answered, normalised, to
 * test/fixtures/parity/nvidia-device-plugin-<version>/<scenario>.json; deletes record files
 * of scenarios that no longer exist. Commit the result: the jest parity test compares our
 * plugin with it, and `npm run parity:live` (CI) fails when it differs from a fresh capture.
 *
 * Run: npm run parity:record [-- SCENARIO…]. Needs root (NVIDIA's plugin runs in a private
 * mount namespace) and the peer archives in ../shared/peers (or a binary in
 * NVIDIA_DEVICE_PLUGIN_BIN).
 */
import '../../bench/support/nodenext-resolve';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureScenario } from './capture';
import { nvidiaRecordPath, serialiseRecord, staleNvidiaRecords, writeNvidiaRecord } from './nvidia-record';
import { nvidiaPluginBinary } from './plugin-process';
import { selectScenarios } from './scenarios';
import { runMain } from '../helpers/run-main';

async function main(): Promise<number> {
  const scenarios = selectScenarios(process.argv.slice(2));
  try {
    process.stdout.write(`NVIDIA's plugin: ${nvidiaPluginBinary()}\n`);
  } catch (err) {
    process.stderr.write(`parity:record: ${(err as Error).message}\n`);
    return 1;
  }
  let failed = 0;
  for (const scenario of scenarios) {
    try {
      const record = await captureScenario('nvidia', scenario);
      const file = nvidiaRecordPath(scenario.name);
      const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
      writeNvidiaRecord(record);
      const what = before === undefined ? 'new' : before === serialiseRecord(record) ? 'unchanged' : 'CHANGED';
      process.stdout.write(
        `${what.padEnd(9)} ${path.relative(process.cwd(), file)} (${record.allocate.length} Allocate calls)\n`,
      );
    } catch (err) {
      failed++;
      process.stdout.write(`FAIL      ${scenario.name}: ${(err as Error).message}\n`);
    }
  }
  if (process.argv.length <= 2) {
    for (const stale of staleNvidiaRecords(scenarios)) {
      fs.rmSync(stale);
      process.stdout.write(`removed   ${path.relative(process.cwd(), stale)} (no such scenario)\n`);
    }
  }
  process.stdout.write(`${scenarios.length - failed} recorded, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

runMain(main);
