/**
 * Runs one scenario against one plugin and returns its normalised ParityRecord: what it
 * registered, its options, its first device list per resource, and the answer to every
 * Allocate call of the scenario (through the kubelet stub's client, as the kubelet sends
 * them: one container per request).
 */
import * as grpc from '@grpc/grpc-js';
import { createFakeNode } from './fake-node';
import { startPlugin, waitForRegistration, type PluginKind, type StartOptions } from './plugin-process';
import { DRIVER_ROOT, normaliseAllocate, normaliseResource, type CallRecord, type ParityRecord } from './record';
import type { Scenario } from './scenarios';

export async function captureScenario(
  kind: PluginKind,
  scenario: Scenario,
  extra: Pick<StartOptions, 'env'> = {},
): Promise<ParityRecord> {
  const node = createFakeNode(scenario.spec, scenario.config);
  const plugin = await startPlugin({ kind, node, ...extra }).catch((err: Error) => {
    node.remove();
    throw err;
  });
  let record: ParityRecord;
  let code: number | null;
  try {
    const expected = kind === 'ours' ? (scenario.oursResources ?? scenario.resources) : scenario.resources;
    await waitForRegistration(plugin, expected);
    const { stub } = plugin;
    const resources = expected.map((name) => {
      const state = stub.resources.get(name)!;
      return normaliseResource(state.registration, state.options, state.lists[0]);
    });
    // Every registered resource counts, not only the expected ones: an extra one is a difference.
    for (const name of [...stub.resources.keys()].sort()) {
      if (expected.includes(name)) continue;
      const state = stub.resources.get(name)!;
      resources.push(normaliseResource(state.registration, state.options, state.lists[0] ?? []));
    }
    const allocate: CallRecord[] = [];
    for (const call of scenario.allocate) {
      const client = stub.client(call.resource);
      try {
        const response = await client.allocateIds(call.ids);
        allocate.push({ resource: call.resource, ids: call.ids, response: normaliseAllocate(response) });
      } catch (err) {
        const e = err as grpc.ServiceError;
        allocate.push({
          resource: call.resource,
          ids: call.ids,
          error: { code: grpc.status[e.code] ?? String(e.code), message: e.details },
        });
      }
    }
    // Host paths live under the temporary driver root; the reference writes `<driver-root>`.
    record = { scenario: scenario.name, resources, allocate };
  } finally {
    code = await plugin.stop();
    node.remove();
  }
  // Checked after the finally block, so a failed capture keeps its own error instead of this one.
  if (code !== 0 && kind === 'ours') {
    // A plugin that does not stop cleanly on SIGTERM is itself a finding.
    throw new Error(`our plugin exited with ${code} after SIGTERM\n${plugin.output().slice(-2000)}`);
  }
  return JSON.parse(JSON.stringify(record).split(node.driverRoot).join(DRIVER_ROOT)) as ParityRecord;
}
