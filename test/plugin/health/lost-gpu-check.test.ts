import { runLostGpuCheck, type LostGpuTarget } from '../../../plugin/src/health/lost-gpu-check';
import type { HealthEvent } from '../../../plugin/src/devices/types';

/** A GPU whose probe answers SUCCESS until `lostAfter` probes, then `code`. */
function gpu(uuid: string, lostAfter = Infinity, code = 15): LostGpuTarget & { probes: number } {
  const t = {
    uuid,
    probes: 0,
    probe: async () => (++t.probes > lostAfter ? code : 0),
  };
  return t;
}

async function run(targets: LostGpuTarget[], ms: number, intervalMs = 5) {
  const events: HealthEvent[] = [];
  const warnings: string[] = [];
  const abort = new AbortController();
  const done = runLostGpuCheck(
    targets,
    (e) => events.push(e),
    { intervalMs, describe: (c) => `code ${c}`, warn: (_o, m) => warnings.push(m) },
    abort.signal,
  );
  await new Promise((r) => setTimeout(r, ms));
  abort.abort();
  await done;
  return { events, warnings };
}

test('a GPU that NVML answers GPU_IS_LOST for is reported Unhealthy for good, once, and not probed again', async () => {
  const a = gpu('GPU-a');
  const b = gpu('GPU-b', 2);
  const { events } = await run([a, b], 100);
  expect(events).toEqual([
    { uuid: 'GPU-b', healthy: false, permanent: true, reason: expect.stringContaining('GPU_IS_LOST') },
  ]);
  expect(b.probes).toBe(3);
  expect(a.probes).toBeGreaterThan(5);
});

test('RESET_REQUIRED counts as lost too', async () => {
  const { events } = await run([gpu('GPU-a', 0, 16)], 40);
  expect(events.map((e) => [e.uuid, e.reason])).toEqual([['GPU-a', expect.stringContaining('RESET_REQUIRED')]]);
});

test('another error changes nothing and is logged once', async () => {
  const { events, warnings } = await run([gpu('GPU-a', 0, 999)], 60);
  expect(events).toEqual([]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/does not mean lost/);
});

test('a probe that throws changes nothing', async () => {
  const t: LostGpuTarget = { uuid: 'GPU-a', probe: () => Promise.reject(new Error('koffi said no')) };
  const { events, warnings } = await run([t], 40);
  expect(events).toEqual([]);
  expect(warnings).toEqual(['lost-GPU check could not call NVML']);
});

test('interval 0 turns the check off', async () => {
  const a = gpu('GPU-a', 0);
  const { events } = await run([a], 30, 0);
  expect(events).toEqual([]);
  expect(a.probes).toBe(0);
});

test('the first probe comes one interval after the start, which bounds the delay to one interval plus one call', async () => {
  const a = gpu('GPU-a', 0);
  const t0 = performance.now();
  const events: HealthEvent[] = [];
  const abort = new AbortController();
  const done = runLostGpuCheck(
    [a],
    (e) => {
      events.push(e);
      abort.abort();
    },
    { intervalMs: 50, describe: String, warn: () => undefined },
    abort.signal,
  );
  await done;
  const elapsed = performance.now() - t0;
  expect(events).toHaveLength(1);
  expect(elapsed).toBeGreaterThanOrEqual(45);
});
