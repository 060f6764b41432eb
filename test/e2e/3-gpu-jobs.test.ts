/**
 * Issue test 3: GpuJobs from the constructs get GPUs from the plugin through the kubelet.
 * Two GPUs arrive as NVIDIA_VISIBLE_DEVICES with two distinct fake UUIDs; two jobs running
 * at the same time get disjoint GPUs; nine GPUs cannot be scheduled on an 8-GPU node; a
 * container that asks for none sees none.
 */
import { applyServerSide, CLUSTER, kubectlOk, waitFor } from './helpers/kube';
import {
  deleteJob,
  ensureJobsNamespace,
  gpuJobYaml,
  jobLogs,
  jobPod,
  JOBS_NAMESPACE,
  runJob,
  visibleDevices,
  waitJobComplete,
} from './helpers/jobs';
import { ensureDefaultPlugin, FAKE_GPU_UUIDS } from './helpers/plugin';

// The sleep: containerd 1.6 now and then loses the output of a container that exits the
// instant it wrote it (an empty 0.log; containerd/containerd#11149 reports the same symptom).
const PRINT = 'echo "NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES"; sleep 1';

beforeAll(async () => {
  await ensureDefaultPlugin();
  ensureJobsNamespace();
});

test('a GpuJob asking for 2 GPUs completes and sees 2 distinct fake GPU UUIDs', () => {
  runJob(gpuJobYaml('two-gpus', PRINT, { gpus: 2 }));
  waitJobComplete('two-gpus');
  const devices = visibleDevices(jobLogs('two-gpus'));
  expect(devices).toHaveLength(2);
  expect(new Set(devices).size).toBe(2);
  for (const uuid of devices) expect(FAKE_GPU_UUIDS).toContain(uuid);
  deleteJob('two-gpus');
});

test('two GpuJobs running at the same time get disjoint GPUs', () => {
  // Each holds its GPUs for a while, so both are running at once (checked below).
  for (const name of ['pair-a', 'pair-b']) runJob(gpuJobYaml(name, `${PRINT}; sleep 6`, { gpus: 2 }));
  for (const name of ['pair-a', 'pair-b']) waitJobComplete(name);
  const [a, b] = ['pair-a', 'pair-b'].map((n) => visibleDevices(jobLogs(n)));
  const [ta, tb] = ['pair-a', 'pair-b'].map((n) => jobPod(n).status.containerStatuses[0].state.terminated);
  expect(
    Date.parse(ta.startedAt) < Date.parse(tb.finishedAt) && Date.parse(tb.startedAt) < Date.parse(ta.finishedAt),
  ).toBe(true);
  expect(a).toHaveLength(2);
  expect(b).toHaveLength(2);
  expect(a.filter((u) => b.includes(u))).toEqual([]);
  for (const name of ['pair-a', 'pair-b']) deleteJob(name);
});

test('a GpuJob asking for 9 GPUs stays Pending with "Insufficient nvidia.com/gpu"', async () => {
  runJob(gpuJobYaml('nine-gpus', PRINT, { gpus: 9 }));
  const { value: condition } = await waitFor('the 9-GPU pod to be reported unschedulable', 30000, () => {
    const c = jobPod('nine-gpus').status.conditions?.find((x: any) => x.type === 'PodScheduled');
    return c?.reason === 'Unschedulable' ? c : undefined;
  });
  expect(condition.status).toBe('False');
  expect(condition.message).toMatch(/Insufficient nvidia\.com\/gpu/);
  expect(jobPod('nine-gpus').status.phase).toBe('Pending');
  deleteJob('nine-gpus');
});

test('a container without a GPU request sees no GPU', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'no-gpu', namespace: JOBS_NAMESPACE },
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: CLUSTER.busyboxImage,
          command: ['sh', '-c', `${PRINT}; ls /dev`],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  expect(applyServerSide(JSON.stringify(pod)).code).toBe(0);
  kubectlOk(['-n', JOBS_NAMESPACE, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/no-gpu', '--timeout=60s']);
  const log = kubectlOk(['-n', JOBS_NAMESPACE, 'logs', 'no-gpu']);
  expect(visibleDevices(log)).toEqual([]);
  expect(log).not.toMatch(/nvidia/);
  kubectlOk(['-n', JOBS_NAMESPACE, 'delete', 'pod', 'no-gpu', '--wait=true']);
});
