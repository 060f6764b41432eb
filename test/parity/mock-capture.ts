/**
 * One plugin (ours or NVIDIA's real binary) on NVIDIA's mock NVML for one profile: what it
 * registered, its device IDs and health in ListAndWatch, its answers to a set of Allocate
 * calls and to GetPreferredAllocation (sizes 2, 4, 8, with and without a must-include GPU),
 * in the same normalised form as the parity records (record.ts), so `compareRecords` applies.
 */
import * as grpc from '@grpc/grpc-js';
import { createMockNode, type MockFailure, type MockNode, type MockProfile } from './mock-node';
import {
  startPlugin,
  waitForRegistration,
  type PluginKind,
  type RunningPlugin,
  type StartOptions,
} from './plugin-process';
import { DRIVER_ROOT, normaliseAllocate, normaliseResource, type CallRecord, type ParityRecord } from './record';

export const GPU = 'nvidia.com/gpu';

export interface PreferredCase {
  size: number;
  /** Indices (into the node's GPUs) that must be included. */
  must: number[];
}

export interface PreferredAnswer extends PreferredCase {
  /** GPU indices answered, sorted; or the gRPC error. */
  picked?: number[];
  error?: string;
}

export interface MockCapture {
  record: ParityRecord;
  preferred: PreferredAnswer[];
}

/** The GetPreferredAllocation cases for a node of `n` GPUs (sizes that fit). */
export function preferredCases(n: number): PreferredCase[] {
  const cases: PreferredCase[] = [];
  for (const size of [2, 4, 8]) {
    if (size > n) continue;
    cases.push({ size, must: [] });
    if (size < n) cases.push({ size, must: [n - 1] });
  }
  return cases;
}

/** Allocate calls: two GPUs, one GPU, every GPU, and an ID the node does not have. */
function allocateCalls(node: MockNode): string[][] {
  const ids = node.gpus.map((g) => g.uuid);
  return [ids.slice(0, 2), [ids[ids.length - 1]], ids, ['GPU-00000000-dead-beef-0000-000000000000']];
}

export async function startOnMock(
  kind: PluginKind,
  node: MockNode,
  env: Record<string, string> = {},
  extra: Pick<StartOptions, 'nodeArgs' | 'nodeBinary'> = {},
): Promise<RunningPlugin> {
  const plugin = await startPlugin({ kind, node, env: { ...node.env, ...env }, ...extra });
  try {
    await waitForRegistration(plugin, [GPU]);
  } catch (err) {
    await plugin.stop();
    throw err;
  }
  return plugin;
}

export async function preferredAnswer(
  plugin: RunningPlugin,
  node: MockNode,
  c: PreferredCase,
): Promise<PreferredAnswer> {
  const uuids = node.gpus.map((g) => g.uuid);
  try {
    const res = await plugin.stub.client(GPU).preferred({
      container_requests: [
        { available_deviceIDs: uuids, must_include_deviceIDs: c.must.map((i) => uuids[i]), allocation_size: c.size },
      ],
    });
    const ids = res.container_responses?.[0]?.deviceIDs ?? [];
    return { ...c, picked: ids.map((id) => uuids.indexOf(id)).sort((a, b) => a - b) };
  } catch (err) {
    return { ...c, error: `${grpc.status[(err as grpc.ServiceError).code]}: ${(err as grpc.ServiceError).details}` };
  }
}

export async function captureOnMock(
  kind: PluginKind,
  profile: MockProfile,
  failures: Record<number, MockFailure> = {},
): Promise<MockCapture> {
  const node = createMockNode(profile, { failures });
  let plugin: RunningPlugin | undefined;
  try {
    plugin = await startOnMock(kind, node);
    const { stub } = plugin;
    const resources = [...stub.resources.keys()].sort().map((name) => {
      const state = stub.resources.get(name)!;
      return normaliseResource(state.registration, state.options, state.lists[state.lists.length - 1] ?? []);
    });
    const allocate: CallRecord[] = [];
    for (const ids of allocateCalls(node)) {
      try {
        allocate.push({ resource: GPU, ids, response: normaliseAllocate(await stub.client(GPU).allocateIds(ids)) });
      } catch (err) {
        const e = err as grpc.ServiceError;
        allocate.push({
          resource: GPU,
          ids,
          error: { code: grpc.status[e.code] ?? String(e.code), message: e.details },
        });
      }
    }
    const preferred: PreferredAnswer[] = [];
    for (const c of preferredCases(node.gpus.length)) preferred.push(await preferredAnswer(plugin, node, c));
    const record: ParityRecord = { scenario: `mock-${profile}`, resources, allocate };
    return {
      record: JSON.parse(JSON.stringify(record).split(node.driverRoot).join(DRIVER_ROOT)) as ParityRecord,
      preferred,
    };
  } catch (err) {
    throw new Error(
      `${kind} plugin on NVIDIA's mock NVML (${profile}): ${(err as Error).message}${plugin ? `\n--- plugin output ---\n${plugin.output().slice(-3000)}` : ''}`,
    );
  } finally {
    await plugin?.stop();
    node.remove();
  }
}
