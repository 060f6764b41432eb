/**
 * Issue test 2: the device plugin deployed from the synthesized manifests, with only the
 * image swapped to the local test image, runs as a DaemonSet pod, and the node advertises
 * `nvidia.com/gpu: 8` in capacity and allocatable within 30 s (the tutorial's check).
 */
import { CLUSTER, kubectlOk, nodeResource, waitFor } from './helpers/kube';
import {
  labelGpuNode,
  pluginImage,
  pluginLogs,
  PLUGIN_NAMESPACE,
  recordTiming,
  removePlugin,
  synthDevicePlugin,
  waitForResource,
} from './helpers/plugin';
import { applyServerSide } from './helpers/kube';

describe('device plugin DaemonSet from the constructs', () => {
  let image: string;

  beforeAll(async () => {
    image = pluginImage('8gpu');
    removePlugin();
    labelGpuNode();
    // A plugin of an earlier run may have left 8 behind: start from a node with none usable,
    // so only this deployment can make the count reach 8.
    await waitFor(
      'no allocatable GPU before the deployment',
      60000,
      () => !nodeResource('allocatable', 'nvidia.com/gpu'),
    );
  });

  test('only the image differs from the default synthesized manifests', () => {
    const theirs = synthDevicePlugin('ghcr.io/cdk8s-gpu/gpu-device-plugin:v0.1.0');
    const ours = synthDevicePlugin(image);
    const changed = ours.split('\n').filter((line, i) => line !== theirs.split('\n')[i]);
    // The image line, and the version label values the construct derives from the image tag.
    expect(changed.filter((l) => !/^\s+(image|app\.kubernetes\.io\/version): /.test(l))).toEqual([]);
    expect(changed.some((l) => l.includes(`image: ${image}`))).toBe(true);
  });

  test('the DaemonSet pod runs and the node shows 8 allocatable GPUs within 30 s', async () => {
    const started = Date.now();
    const applied = applyServerSide(synthDevicePlugin(image));
    expect(applied.code).toBe(0);
    await waitForResource('nvidia.com/gpu', 8, 30000);
    const elapsed = Date.now() - started;
    recordTiming('DaemonSet created → node allocatable nvidia.com/gpu = 8', elapsed, 30000);

    expect(elapsed).toBeLessThan(30000);
    const pods = JSON.parse(kubectlOk(['-n', PLUGIN_NAMESPACE, 'get', 'pods', '-o', 'json'])).items;
    expect(pods.map((p: any) => [p.spec.nodeName, p.status.phase])).toEqual([[CLUSTER.nodeName, 'Running']]);
    expect(pods[0].spec.containers[0].image).toBe(image);
    expect(pluginLogs().some((r) => r.msg === 'registered with the kubelet' && r.resource === 'nvidia.com/gpu')).toBe(
      true,
    );
  });

  test("the tutorial's `kubectl describe node | grep nvidia.com/gpu` shows 8 in capacity and allocatable", () => {
    const lines = kubectlOk(['describe', 'node', CLUSTER.nodeName])
      .split('\n')
      .filter((l) => l.includes('nvidia.com/gpu'));
    // Capacity, Allocatable, then "Allocated resources" (requests, limits); plus the label.
    expect(lines.filter((l) => /^\s+nvidia\.com\/gpu:\s+8$/.test(l))).toHaveLength(2);
    expect(lines.some((l) => /^\s+nvidia\.com\/gpu\s+0\s+0$/.test(l))).toBe(true);
    expect(nodeResource('allocatable', 'nvidia.com/gpu')).toBe(8);
  });
});
