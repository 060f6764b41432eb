/**
 * Issue test 6: the sharing scenarios on the real kubelet. Time-slicing each of the 8 fake
 * GPUs into 4 replicas makes allocatable nvidia.com/gpu 32; with MIG enabled on the fake
 * A100s and the `mixed` strategy, the node advertises one resource per MIG profile under
 * NVIDIA's names. Both are the GpuDevicePlugin props of the dist/ scenarios, image swapped.
 */
import { GpuResource, MigStrategy } from '../../src';
import { getJson, CLUSTER } from './helpers/kube';
import { deployPlugin, ensureDefaultPlugin, pluginImage, synthDevicePlugin, waitForResource } from './helpers/plugin';

function allocatable(): Record<string, string> {
  return getJson(['get', 'node', CLUSTER.nodeName]).status.allocatable;
}

describe('sharing scenarios', () => {
  afterAll(async () => {
    // Leave the default plugin behind for the tests that follow.
    await ensureDefaultPlugin();
  });

  test('time-slicing with 4 replicas: allocatable nvidia.com/gpu is 32', async () => {
    await deployPlugin(
      synthDevicePlugin(pluginImage('8gpu'), {
        timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] },
      }),
    );
    await waitForResource('nvidia.com/gpu', 32, 30000);
  });

  test("MIG mixed: each MIG profile is advertised under NVIDIA's resource name", async () => {
    await deployPlugin(synthDevicePlugin(pluginImage('mig'), { migStrategy: MigStrategy.MIXED }));
    // The fake node: GPU 0 as 3g.40gb + 2g.20gb + 2 × 1g.10gb, GPU 1 as one 7g.80gb.
    const expected = {
      'nvidia.com/mig-1g.10gb': 2,
      'nvidia.com/mig-2g.20gb': 1,
      'nvidia.com/mig-3g.40gb': 1,
      'nvidia.com/mig-7g.80gb': 1,
    };
    for (const [resource, count] of Object.entries(expected)) await waitForResource(resource, count, 30000);
    const mig = Object.entries(allocatable()).filter(([name]) => name.startsWith('nvidia.com/mig-'));
    expect(Object.fromEntries(mig.map(([n, v]) => [n, Number(v)]))).toEqual(expected);
    // Both GPUs are MIG-enabled: no whole GPU is left to hand out.
    await waitForResource('nvidia.com/gpu', 0, 30000);
  });
});
