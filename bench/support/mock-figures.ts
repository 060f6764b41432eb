/**
 * Figures on NVIDIA's mock NVML (k8s-test-infra), whose event wait blocks like a real
 * driver's (our fake polls a file every 5 ms inside it): start-up, RSS and idle CPU on the
 * A100 profile, and GetPreferredAllocation latency and quality on every profile's
 * NVLink/PCIe topology (sizes 2, 4, 8, with and without a must-include GPU).
 */
import { preferredCases, startOnMock, GPU, type PreferredCase } from '../../test/parity/mock-capture';
import { createMockNode, type MockProfile } from '../../test/parity/mock-node';
import type { PluginKind } from '../../test/parity/plugin-process';
import { preferredLoad, socketOf } from './dpload';
import { mockTopology, type MockTopology } from './mock-topology';
import type { Figures } from './plugin-figures';
import { cpuMs, rssMiB } from './proc';
import { until } from './stats';
import { optimum, setScore } from './topologies';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function mockIdleRun(
  kind: PluginKind,
  idleSeconds: number,
  runtime: { nodeArgs: string[]; nodeBinary: string },
): Promise<Figures> {
  const node = createMockNode('a100');
  const plugin = await startOnMock(kind, node, {}, runtime);
  try {
    const f: Figures = {};
    f.mockStartupMs =
      (await until('first ListAndWatch', () => (plugin.stub.resources.get(GPU)?.lists.length ?? 0) > 0)) -
      plugin.spawnedAt;
    await sleep(1000);
    const pid = plugin.child.pid!;
    f.mockRssStartMiB = rssMiB(pid);
    const cpu0 = cpuMs(pid);
    await sleep(idleSeconds * 1000);
    f.mockIdleCpuMs = cpuMs(pid) - cpu0;
    return f;
  } finally {
    await plugin.stop();
    node.remove();
  }
}

export interface PreferredFigure extends PreferredCase {
  p50Us: number;
  /** Score of the answer over the exhaustive optimum. */
  quality: number;
  requests: number;
  capped: boolean;
}

/** Every preferred case on one profile; a slow plugin is cut off after `maxSeconds` per case. */
const topologies = new Map<MockProfile, MockTopology>();

/** NVML's topology of a profile, read once per process (it spawns a child each time). */
function topologyOf(profile: MockProfile, node: Parameters<typeof mockTopology>[0]): MockTopology {
  let t = topologies.get(profile);
  if (t === undefined) {
    t = mockTopology(node);
    topologies.set(profile, t);
  }
  return t;
}

export async function mockPreferredRun(
  kind: PluginKind,
  profile: MockProfile,
  opts: { requests: number; maxSeconds: number; nodeArgs: string[]; nodeBinary: string },
): Promise<PreferredFigure[]> {
  const node = createMockNode(profile);
  const topo = topologyOf(profile, node);
  const plugin = await startOnMock(kind, node, {}, { nodeArgs: opts.nodeArgs, nodeBinary: opts.nodeBinary });
  try {
    const socket = socketOf(plugin);
    const uuids = topo.uuids;
    const out: PreferredFigure[] = [];
    for (const c of preferredCases(uuids.length)) {
      const r = preferredLoad(`${kind} GetPreferredAllocation on mock ${profile}`, socket, uuids, c, {
        requests: opts.requests,
        warmup: 10,
        maxSeconds: opts.maxSeconds,
      });
      out.push({
        ...c,
        p50Us: r.p50Us,
        quality: setScore(topo.topology, r.picked) / optimum(topo.topology, uuids.length, c.size, c.must),
        requests: r.requests,
        capped: r.capped,
      });
    }
    return out;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- ${kind} plugin output ---\n${plugin.output().slice(-3000)}`);
  } finally {
    await plugin.stop();
    node.remove();
  }
}
