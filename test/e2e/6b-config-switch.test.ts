/**
 * Issue 14 item 5: per-node configs on the real kubelet. GpuDevicePlugin with named configs
 * (`whole`, the default, and `sliced-4`, 4× time-slicing): labelling the node
 * nvidia.com/device-plugin.config=sliced-4 turns allocatable nvidia.com/gpu from 8 into 32 in
 * the same pod (same UID, restartCount 0); removing the label goes back to 8; a label naming no
 * config keeps 8 and the plugin logs a warning with the available names. Each switch time is
 * printed (figures only, never asserted).
 *
 * The e2e cluster runs no kube-proxy (test/e2e/cluster.sh), so the `kubernetes` Service address
 * the kubelet gives pods does not route, and its API server listens on loopback only. The test
 * therefore runs the plugin pod on the host network with KUBERNETES_SERVICE_HOST/PORT pointing
 * at 127.0.0.1:6443 (the API server's certificate covers 127.0.0.1): the service account token,
 * the CA, the RBAC and the watch are the ones a real cluster uses.
 */
import { parseAllDocuments } from 'yaml';
import { GpuResource } from '../../src';
import { CLUSTER, getJson, kubectlOk, nodeResource, waitFor } from './helpers/kube';
import {
  deployPlugin,
  ensureDefaultPlugin,
  labelGpuNode,
  pluginImage,
  pluginLogs,
  pluginPod,
  PLUGIN_NAMESPACE,
  synthDevicePlugin,
  waitForResource,
} from './helpers/plugin';

const LABEL = 'nvidia.com/device-plugin.config';
const APISERVER_PORT = '6443';

/** The manifests, with the plugin pod on the host network and the API server's loopback address (see above). */
function forThisCluster(yaml: string): string {
  return parseAllDocuments(yaml)
    .map((doc) => {
      const o = doc.toJS();
      if (o?.kind === 'DaemonSet') {
        const pod = o.spec.template.spec;
        pod.hostNetwork = true;
        pod.dnsPolicy = 'ClusterFirstWithHostNet';
        for (const c of pod.containers) {
          c.env = [
            ...(c.env ?? []),
            { name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' },
            { name: 'KUBERNETES_SERVICE_PORT', value: APISERVER_PORT },
          ];
        }
      }
      return `---\n${JSON.stringify(o)}\n`;
    })
    .join('');
}

function setLabel(value: string | undefined): void {
  kubectlOk([
    'label',
    'node',
    CLUSTER.nodeName,
    value === undefined ? `${LABEL}-` : `${LABEL}=${value}`,
    '--overwrite',
  ]);
}

function podIdentity(): { name: string; uid: string; restarts: number } {
  const name = pluginPod();
  const pod = getJson(['-n', PLUGIN_NAMESPACE, 'get', 'pod', name]);
  return {
    name,
    uid: pod.metadata.uid,
    restarts: (pod.status.containerStatuses ?? []).reduce((n: number, c: any) => n + c.restartCount, 0),
  };
}

describe('per-node config: the node label switches the plugin config without a pod restart', () => {
  let pod: { name: string; uid: string; restarts: number };
  const figures: string[] = [];

  async function switchTo(what: string, count: number, act: () => void): Promise<void> {
    const started = Date.now();
    act();
    await waitForResource('nvidia.com/gpu', count, 60000);
    figures.push(`  ${what.padEnd(52)} ${((Date.now() - started) / 1000).toFixed(2)} s`);
    expect(podIdentity()).toEqual(pod);
  }

  beforeAll(async () => {
    const image = pluginImage('8gpu');
    labelGpuNode();
    setLabel(undefined);
    const yaml = synthDevicePlugin(image, {
      configs: [
        { name: 'whole' },
        {
          name: 'sliced-4',
          config: { timeSlicing: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 4 }] } },
        },
      ],
      defaultConfig: 'whole',
    });
    await deployPlugin(forThisCluster(yaml));
    await waitForResource('nvidia.com/gpu', 8, 60000);
    pod = podIdentity();
    expect(pod.restarts).toBe(0);
  });

  afterAll(async () => {
    process.stdout.write(
      `\nconfig switch by node label (label written → node allocatable updated):\n${figures.join('\n')}\n`,
    );
    setLabel(undefined);
    // Leave the default plugin behind for the tests that follow.
    await ensureDefaultPlugin();
  });

  test('the plugin reads its own Node with the least-privilege ClusterRole and starts with the default config', async () => {
    const { value: selected } = await waitFor('the "selected config" log line', 30000, () =>
      pluginLogs().find((r) => r.msg === 'selected config'),
    );
    expect(selected.config).toBe('whole');
    const sa = `system:serviceaccount:${PLUGIN_NAMESPACE}:${getJson(['-n', PLUGIN_NAMESPACE, 'get', 'pod', pod.name]).spec.serviceAccountName}`;
    expect(kubectlOk(['auth', 'can-i', 'watch', 'nodes', `--as=${sa}`]).trim()).toBe('yes');
  });

  test('label sliced-4 → allocatable nvidia.com/gpu 8 → 32, same pod, no restart', async () => {
    await switchTo('label sliced-4 → allocatable 32', 32, () => setLabel('sliced-4'));
  });

  test('label removed → back to the default, 8', async () => {
    await switchTo('label removed → allocatable 8', 8, () => setLabel(undefined));
  });

  test('a label naming no config: the default stays, a warning names the available configs, no crash', async () => {
    await switchTo('label sliced-4 again → allocatable 32', 32, () => setLabel('sliced-4'));
    await switchTo('label sliced-8 (no such config) → allocatable 8', 8, () => setLabel('sliced-8'));
    const { value: warning } = await waitFor('the warning about sliced-8', 30000, () =>
      pluginLogs().find((r) => r.level === 'warn' && String(r.msg).includes(`${LABEL}=sliced-8 names no config`)),
    );
    expect(String(warning.msg)).toContain('available configs: sliced-4, whole');
    expect(nodeResource('allocatable', 'nvidia.com/gpu')).toBe(8);
    expect(podIdentity()).toEqual(pod);
  });
});
