/**
 * Allocate and GetPreferredAllocation against the real plugin process: NVIDIA's
 * response format, 1,000 concurrent calls, and malformed requests that must not
 * hurt the process.
 */
import * as grpc from '@grpc/grpc-js';
import { defaultSpec, gpuUuid } from '../helpers/fake-nvml';
import type { PluginClient } from '../helpers/kubelet-stub';
import { startNode, type NodeUnderTest } from './plugin-process';

jest.setTimeout(60000);

const GPU = 'nvidia.com/gpu';
let n: NodeUnderTest;
let client: PluginClient;

beforeAll(async () => {
  n = await startNode(defaultSpec(8));
  await n.stub.waitForResources([GPU], 30000);
  client = n.stub.client(GPU);
});

afterAll(async () => {
  await n?.stop();
});

async function codeOf(call: Promise<unknown>): Promise<grpc.status> {
  return call.then(
    () => grpc.status.OK,
    (err: grpc.ServiceError) => err.code,
  );
}

describe('plugin process: Allocate', () => {
  it('answers with NVIDIA_VISIBLE_DEVICES listing the UUIDs', async () => {
    const res = await client.allocateIds([gpuUuid(3), gpuUuid(5)]);
    expect(res.container_responses).toEqual([
      {
        envs: { NVIDIA_VISIBLE_DEVICES: `${gpuUuid(3)},${gpuUuid(5)}` },
        mounts: [],
        devices: [],
        annotations: {},
        cdi_devices: [],
      },
    ]);
  });

  it('answers 1,000 concurrent Allocates, each with its own devices', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) => [gpuUuid(i % 8), gpuUuid((i + 1) % 8)]);
    const responses = await Promise.all(requests.map((ids) => client.allocateIds(ids)));
    responses.forEach((res, i) =>
      expect(res.container_responses[0].envs.NVIDIA_VISIBLE_DEVICES).toBe(requests[i].join(',')),
    );
  });

  it('answers GetPreferredAllocation with NVLink neighbours on the DGX-1 mesh', async () => {
    const res = await client.preferred({
      container_requests: [
        {
          available_deviceIDs: [0, 1, 2, 3, 4, 5, 6, 7].map(gpuUuid),
          must_include_deviceIDs: [gpuUuid(0)],
          allocation_size: 2,
        },
      ],
    });
    // GPU 0 has two NVLinks to GPUs 3 and 4 and one to 1 and 2.
    expect([
      [gpuUuid(0), gpuUuid(3)],
      [gpuUuid(0), gpuUuid(4)],
    ]).toContainEqual(res.container_responses[0].deviceIDs);
  });
});

describe('plugin process: malformed requests', () => {
  it.each([
    ['unknown device IDs', () => client.allocateIds(['GPU-does-not-exist'])],
    ['no device IDs', () => client.allocateIds([])],
    ['no container requests', () => client.allocate({ container_requests: [] })],
    ['a replica suffix on a whole GPU', () => client.allocateIds([`${gpuUuid(0)}::1`])],
    [
      'a preferred allocation larger than what is available',
      () =>
        client.preferred({
          container_requests: [{ available_deviceIDs: [gpuUuid(0)], must_include_deviceIDs: [], allocation_size: 3 }],
        }),
    ],
  ])('%s → INVALID_ARGUMENT', async (_name, call) => {
    await expect(codeOf(call())).resolves.toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('names the unknown IDs in the message', async () => {
    const err = (await client
      .allocateIds(['GPU-nope-1', 'GPU-nope-2'])
      .catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(err.details).toContain('GPU-nope-1, GPU-nope-2');
  });

  it('survives bytes that are not a protobuf message and keeps answering', async () => {
    const code = await codeOf(client.rawAllocate(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(code).not.toBe(grpc.status.OK);
    expect(n.plugin.running).toBe(true);
    await expect(client.allocateIds([gpuUuid(1)])).resolves.toBeDefined();
  });

  it('counts the allocations and the errors in /metrics', async () => {
    const body = await (await fetch(`http://127.0.0.1:${n.port}/metrics`)).text();
    expect(body).toMatch(/gpu_device_plugin_allocations_total\{resource="nvidia.com\/gpu"\} (\d{4,})/);
    expect(body).toMatch(
      /gpu_device_plugin_allocation_errors_total\{resource="nvidia.com\/gpu",call="Allocate",code="INVALID_ARGUMENT"\} [1-9]/,
    );
  });
});
