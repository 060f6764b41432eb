/**
 * A second, independent fake: both plugins (ours, and NVIDIA's real k8s-device-plugin
 * v0.20.0 binary) run as real processes on NVIDIA's own mock NVML (k8s-test-infra
 * pkg/gpu/mocknvml) for its A100, H100, B200, GB200, L40S and T4 profiles, registered with
 * the test kubelet. Compared: registration, options, device IDs and health in ListAndWatch,
 * Allocate answers (only documented differences allowed, test/parity/differences.ts), and
 * GetPreferredAllocation (ours must be optimal for the topology NVML reports and never worse
 * than NVIDIA's). Then the mock's failure injection: an injected critical XID, and GPUs that
 * become lost without any event (our lost-GPU check). Needs both peers: when
 * test/tools/peers.sh cannot build them, every test here fails with the reason.
 */
import { mockTopology, type MockTopology } from '../../../bench/support/mock-topology';
import { optimum, setScore } from '../../../bench/support/topologies';
import { compareRecords, describe as describeDiffs } from '../../parity/compare';
import { unexplained } from '../../parity/differences';
import { captureOnMock, GPU, startOnMock, type MockCapture } from '../../parity/mock-capture';
import { createMockNode, MOCK_PROFILES, mockNvmlDir, type MockFailure } from '../../parity/mock-node';
import { ensureOurPluginBuilt, nvidiaPluginBinary, type PluginKind } from '../../parity/plugin-process';

beforeAll(() => {
  ensureOurPluginBuilt();
  mockNvmlDir();
  nvidiaPluginBinary();
}, 600000);

describe.each(MOCK_PROFILES.map((p) => [p] as const))('mock NVML profile %s', (profile) => {
  let ours: MockCapture;
  let nvidia: MockCapture;
  let topo: MockTopology;

  beforeAll(async () => {
    const node = createMockNode(profile);
    try {
      topo = mockTopology(node);
    } finally {
      node.remove();
    }
    ours = await captureOnMock('ours', profile);
    nvidia = await captureOnMock('nvidia', profile);
  }, 120000);

  test('both plugins advertise every GPU of the profile, Healthy', () => {
    for (const c of [ours, nvidia]) {
      const devices = c.record.resources.find((r) => r.name === GPU)?.devices ?? [];
      expect(devices.map((d) => d.ID).sort()).toEqual([...topo.uuids].sort());
      expect(devices.every((d) => d.health === 'Healthy')).toBe(true);
    }
  });

  test("resources, device IDs, health and Allocate answers equal NVIDIA's, apart from documented differences", () => {
    expect(describeDiffs(unexplained(compareRecords(ours.record, nvidia.record)))).toBe('');
  });

  test("GetPreferredAllocation: ours is the optimum for the topology NVML reports, and never worse than NVIDIA's", () => {
    const n = topo.uuids.length;
    expect(ours.preferred.length).toBeGreaterThan(0);
    for (const [i, mine] of ours.preferred.entries()) {
      const theirs = nvidia.preferred[i];
      const what = `size ${mine.size}, must-include ${JSON.stringify(mine.must)}`;
      expect({ what, error: mine.error }).toEqual({ what, error: undefined });
      expect({ what, error: theirs.error }).toEqual({ what, error: undefined });
      expect({ what, size: mine.picked!.length, hasMust: mine.must.every((g) => mine.picked!.includes(g)) }).toEqual({
        what,
        size: mine.size,
        hasMust: true,
      });
      const best = optimum(topo.topology, n, mine.size, mine.must);
      expect({ what, score: setScore(topo.topology, mine.picked!) }).toEqual({ what, score: best });
      expect(setScore(topo.topology, theirs.picked!)).toBeLessThanOrEqual(best);
    }
  });
});

/** The device list the stub last received, as `H`/`U` per GPU in profile order. */
async function healthAfter(
  kind: PluginKind,
  profile: 'h100' | 'a100',
  failures: Record<number, MockFailure>,
  waitMs: number,
  env: Record<string, string> = {},
) {
  const node = createMockNode(profile, { failures });
  const plugin = await startOnMock(kind, node, env);
  const t0 = performance.now();
  const marked = new Map<string, number>();
  try {
    const deadline = t0 + waitMs;
    while (performance.now() < deadline) {
      for (const d of plugin.stub.latest(GPU) ?? [])
        if (d.health === 'Unhealthy' && !marked.has(d.ID)) marked.set(d.ID, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    const latest = plugin.stub.latest(GPU) ?? [];
    const health = node.gpus
      .map((g) => (latest.find((d) => d.ID === g.uuid)?.health === 'Unhealthy' ? 'U' : 'H'))
      .join('');
    return { health, marked, output: plugin.output() };
  } finally {
    await plugin.stop();
    node.remove();
  }
}

describe("failure injection on NVIDIA's mock NVML", () => {
  const xid48: Record<number, MockFailure> = { 2: { mode: 'ecc_uncorrectable', xid: { code: 48 } } };

  test('a critical XID (48, ecc_uncorrectable on H100 GPU 2) marks that GPU, and only it, Unhealthy in our ListAndWatch', async () => {
    const r = await healthAfter('ours', 'h100', xid48, 3000);
    expect(r.health).toBe('HHUHHHHH');
    expect(r.output).toMatch(/XID 48/);
  }, 30000);

  test('NVIDIA\'s plugin keeps the same GPU Healthy on the mock (docs/parity.md, "XID injection on NVIDIA\'s mock NVML")', async () => {
    const r = await healthAfter('nvidia', 'h100', xid48, 3000);
    expect(r.health).toBe('HHHHHHHH');
  }, 30000);

  // Two GPUs that fail after 3 guarded NVML calls, and no event ever arrives.
  const lost: Record<number, MockFailure> = {
    2: { mode: 'lost', after_calls: 3 },
    5: { mode: 'fallen_off_bus', after_calls: 3 },
  };

  test('lost and fallen_off_bus GPUs (GPU_IS_LOST, no event) are Unhealthy in our ListAndWatch within the stated bound', async () => {
    // --lost-gpu-check-ms=2000 (the default is 10000; the bound scales with it, and 2 s keeps
    // this test short). Discovery makes the first guarded call, so the mock trips on the
    // second probe: at most 2 intervals plus one call after the start.
    const r = await healthAfter('ours', 'a100', lost, 6000, { LOST_GPU_CHECK_MS: '2000' });
    expect(r.health).toBe('HHUHHUHH');
    for (const ms of r.marked.values()) expect(ms).toBeLessThan(2 * 2000 + 1000);
    expect(r.output).toMatch(/GPU_IS_LOST/);
  }, 30000);

  test("--lost-gpu-check-ms=0 turns the check off: the lost GPUs stay Healthy, as with NVIDIA's plugin", async () => {
    const r = await healthAfter('ours', 'a100', lost, 1500, { LOST_GPU_CHECK_MS: '0' });
    expect(r.health).toBe('HHHHHHHH');
  }, 30000);

  test('NVIDIA\'s plugin keeps lost and fallen_off_bus GPUs Healthy (docs/parity.md, "Lost GPUs")', async () => {
    const r = await healthAfter('nvidia', 'a100', lost, 6000);
    expect(r.health).toBe('HHHHHHHH');
  }, 30000);
});
