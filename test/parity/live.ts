/**
 * The live parity run: NVIDIA's real binary and ours, each scenario on the same fake node,
 * compared directly; NVIDIA's live answers are also compared with the reference record the
 * jest parity test uses, so that record cannot drift from the binary. Fails (exit 1) when
 * NVIDIA's binary cannot be built, and on any difference not documented in docs/parity.md.
 *
 * Run: npm run parity:live  (NVIDIA_DEVICE_PLUGIN_BIN=/path/to/nvidia-device-plugin to use a
 * binary built elsewhere). Needs root: NVIDIA's plugin serves in /var/lib/kubelet/device-plugins.
 */
import '../../bench/support/nodenext-resolve';
import { captureScenario } from './capture';
import { compareRecords, describe } from './compare';
import { unexplained } from './differences';
import { nvidiaReference } from './nvidia-reference';
import { nvidiaPluginBinary } from './plugin-process';
import { SCENARIOS, type Scenario } from './scenarios';

/** NVIDIA's plugin reads NUMA nodes from the host's /sys, where the fake PCI devices are absent. */
function withoutNuma(s: Scenario): Scenario {
  return { ...s, spec: { ...s.spec, gpus: s.spec.gpus.map((g) => ({ ...g, numaNode: undefined })) } };
}

async function main(): Promise<number> {
  try {
    process.stdout.write(`NVIDIA's plugin: ${nvidiaPluginBinary()}\n`);
  } catch (err) {
    process.stderr.write(`parity:live: ${(err as Error).message}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    return 1;
  }
  let passed = 0;
  let failed = 0;
  for (const scenario of SCENARIOS) {
    try {
      const nvidia = await captureScenario('nvidia', scenario);
      const ours = await captureScenario('ours', scenario, { sysfs: 'host' });
      const vsOurs = unexplained(compareRecords(ours, nvidia));
      const vsReference = compareRecords(nvidiaReference(withoutNuma(scenario)), nvidia);
      if (vsOurs.length === 0 && vsReference.length === 0) {
        passed++;
        process.stdout.write(`ok   ${scenario.name}\n`);
        continue;
      }
      failed++;
      process.stdout.write(`FAIL ${scenario.name}\n`);
      if (vsOurs.length) process.stdout.write(`  ours vs NVIDIA (undocumented):\n${describe(vsOurs).replace(/^/gm, '    ')}\n`);
      if (vsReference.length) {
        process.stdout.write(`  reference record vs NVIDIA (fix test/parity/nvidia-reference.ts):\n${describe(vsReference).replace(/^/gm, '    ')}\n`);
      }
    } catch (err) {
      failed++;
      process.stdout.write(`FAIL ${scenario.name}: ${(err as Error).message}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
