/**
 * Issue test 4: the kubelet restarts (node maintenance, kubelet upgrade). The plugin sees
 * its socket vanish, serves again and re-registers; allocatable is 8 again within 10 s;
 * a pod that was running keeps its container and its GPUs, and the kubelet still counts
 * them as taken.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CLUSTER, getJson, kubectlOk, nodeResource, REPO_ROOT, waitFor } from './helpers/kube';
import {
  deleteJob,
  ensureJobsNamespace,
  gpuJobYaml,
  jobLogs,
  jobPod,
  runJob,
  visibleDevices,
  waitJobComplete,
} from './helpers/jobs';
import { ensureDefaultPlugin, pluginLogs, recordTiming } from './helpers/plugin';

const PRINT = 'echo "NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES"'; // callers sleep after it (see test 3)

function registrations(): number[] {
  return pluginLogs()
    .filter((r) => r.msg === 'registered with the kubelet' && r.resource === 'nvidia.com/gpu')
    .map((r) => Date.parse(r.time));
}

/** The node status the kubelet posted last (Ready's heartbeat, whole seconds). */
function heartbeat(): number {
  const node = getJson(['get', 'node', CLUSTER.nodeName]);
  return Date.parse(node.status.conditions.find((c: any) => c.type === 'Ready').lastHeartbeatTime);
}

describe('kubelet restart', () => {
  let holderDevices: string[];
  let holderContainer: string;

  beforeAll(async () => {
    await ensureDefaultPlugin();
    ensureJobsNamespace();
    // A pod that holds 2 GPUs across the restart.
    // The shell is PID 1 and would ignore SIGTERM: trap it so the cleanup does not wait 30 s.
    runJob(gpuJobYaml('holder', `trap 'exit 0' TERM; ${PRINT}; sleep 3600 & wait`, { gpus: 2 }));
    await waitFor('the holder pod to run', 60000, () => jobPod('holder').status.phase === 'Running');
    holderDevices = visibleDevices(
      (await waitFor('the holder log', 20000, () => jobLogs('holder') || undefined)).value,
    );
    holderContainer = jobPod('holder').status.containerStatuses[0].containerID;
    expect(holderDevices).toHaveLength(2);
  });

  afterAll(() => {
    deleteJob('holder');
  });

  test('the plugin re-registers and allocatable is 8 again within 10 s', async () => {
    const before = registrations().length;
    const restartedAt = Date.now();
    execFileSync('bash', [join(REPO_ROOT, 'test', 'e2e', 'cluster.sh'), 'restart-kubelet'], { stdio: 'inherit' });

    const { value: registeredAt } = await waitFor('the plugin to register again', 10000, () => {
      const all = registrations();
      return all.length > before ? all[all.length - 1] : undefined;
    });
    // Allocatable as the restarted kubelet reports it: a status posted after the restart.
    await waitFor(
      'allocatable nvidia.com/gpu = 8 from the restarted kubelet',
      10000,
      () =>
        // Heartbeats have whole seconds: only one stamped after the restart's second counts.
        heartbeat() >= Math.ceil(restartedAt / 1000) * 1000 && nodeResource('allocatable', 'nvidia.com/gpu') === 8,
    );
    const backAt = Date.now();

    recordTiming('kubelet restart → plugin registered again', registeredAt - restartedAt, 10000);
    recordTiming('kubelet restart → node allocatable 8 again', backAt - restartedAt, 10000);
    expect(registeredAt - restartedAt).toBeLessThan(10000);
    expect(backAt - restartedAt).toBeLessThan(10000);
    expect(nodeResource('capacity', 'nvidia.com/gpu')).toBe(8);
  });

  test('the running pod keeps its container and its GPUs', () => {
    const pod = jobPod('holder');
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.containerStatuses[0].containerID).toBe(holderContainer);
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
    const env = kubectlOk([
      '-n',
      pod.metadata.namespace,
      'exec',
      pod.metadata.name,
      '--',
      'sh',
      '-c',
      'echo $NVIDIA_VISIBLE_DEVICES',
    ]);
    expect(env.trim().split(',')).toEqual(holderDevices);
  });

  test('the kubelet still counts them as taken: a 6-GPU job gets exactly the other 6', () => {
    runJob(gpuJobYaml('the-rest', `${PRINT}; sleep 1`, { gpus: 6 }));
    waitJobComplete('the-rest');
    const rest = visibleDevices(jobLogs('the-rest'));
    expect(rest).toHaveLength(6);
    expect(rest.filter((u) => holderDevices.includes(u))).toEqual([]);
    deleteJob('the-rest');
  });
});
