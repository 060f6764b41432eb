/**
 * MPS on the e2e node: GpuDevicePlugin with an MPS config (each of the 8 fake GPUs shared by
 * 2) deploys the plugin and the MPS control daemon DaemonSet. A fake `nvidia-cuda-mps-control`
 * (helpers/fake-driver.ts: records every call, makes NVIDIA's control FIFO on `-d`) sits in a
 * fake driver root whose usr/bin is put on both pods' PATH, as the NVIDIA container toolkit
 * would inject the real one. Checked:
 *   - the daemon pod starts it with `-d` and NVIDIA's pipe/log layout, then sets the
 *     pinned-memory limit per GPU and the active thread percentage, and writes /mps/.ready;
 *   - the plugin advertises the 16 replicas only after that (its log says it waited), and
 *     asked the daemon `get_default_active_thread_percentage` first (NVIDIA's AssertHealthy);
 *   - a GpuJob for one replica gets CUDA_MPS_PIPE_DIRECTORY, the pipe directory (with the
 *     daemon's FIFO in it) and the MPS /dev/shm mounted;
 *   - while the daemon is held back (its pods replaced, `-d` waiting), the new plugin pod logs
 *     that it waits and the node has 0 allocatable; released, 16 again;
 *   - removing the plugin quits the daemon (`quit` on stdin).
 * The time from creating the DaemonSets to allocatable 16 is printed (a figure, not a limit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GpuResource } from '../../src';
import { createFakeDriverRoot, E2E_WORK, type FakeDriverRoot } from './helpers/fake-driver';
import { deleteJob, ensureJobsNamespace, gpuJobYaml, jobLogs, runJob, waitJobComplete } from './helpers/jobs';
import { applyServerSide, kubectl, kubectlOk, nodeResource, waitFor } from './helpers/kube';
import {
  ensureDefaultPlugin,
  labelGpuNode,
  PLUGIN_NAMESPACE,
  pluginImage,
  pluginLogs,
  removePlugin,
  synthDevicePlugin,
  waitForResource,
} from './helpers/plugin';

const MPS_ROOT = path.join(E2E_WORK, 'mps');
const RESOURCE_DIR = path.join(MPS_ROOT, 'nvidia.com', 'gpu');
const CALLS = path.join(RESOURCE_DIR, 'fake-mps-control.calls');
const HOLD = path.join(RESOURCE_DIR, 'hold');
const PIPE_IN_POD = '/mps/nvidia.com/gpu/pipe';
const INSPECT = [
  'echo "CUDA_MPS_PIPE_DIRECTORY=${CUDA_MPS_PIPE_DIRECTORY-unset}"',
  '[ -p "$CUDA_MPS_PIPE_DIRECTORY/control" ] && echo "fifo $CUDA_MPS_PIPE_DIRECTORY/control"',
  "grep -E ' /mps/| /dev/shm ' /proc/mounts | awk '{print \"mount \" $2}'",
  'sleep 1',
].join('; ');

let driver: FakeDriverRoot;

function calls(): string[] {
  return fs.existsSync(CALLS) ? fs.readFileSync(CALLS, 'utf8').split('\n').filter(Boolean) : [];
}

beforeAll(() => {
  labelGpuNode();
  ensureJobsNamespace();
  fs.rmSync(MPS_ROOT, { recursive: true, force: true });
  driver = createFakeDriverRoot('mps-driver', { mpsControl: true });
});

afterAll(async () => {
  fs.rmSync(HOLD, { force: true });
  await ensureDefaultPlugin();
  driver.remove();
  fs.rmSync(MPS_ROOT, { recursive: true, force: true });
});

test('MPS: the daemon starts the control binary, the plugin waits for .ready, a pod gets the pipe directory', async () => {
  removePlugin();
  const yaml = synthDevicePlugin(pluginImage('8gpu'), {
    mps: { resources: [{ resource: GpuResource.NVIDIA_GPU, replicas: 2 }] },
    mpsRoot: MPS_ROOT,
    nvidiaDriverRoot: driver.root,
    // Where the toolkit would put the driver's nvidia-cuda-mps-control: the fake root's bin.
    extraEnv: { PATH: '/driver-root/usr/bin:/usr/local/bin:/usr/bin:/bin' },
  });
  const created = Date.now();
  const applied = applyServerSide(yaml);
  if (applied.code !== 0) throw new Error(`applying the MPS device plugin failed: ${applied.stderr}`);
  await waitForResource('nvidia.com/gpu', 16, 150000);
  const toAllocatableMs = Date.now() - created;
  const readyAt = fs.statSync(path.join(MPS_ROOT, '.ready')).mtimeMs;
  process.stdout.write(
    `MPS e2e: DaemonSets created → .ready ${((readyAt - created) / 1000).toFixed(2)} s → ` +
      `allocatable nvidia.com/gpu 16 ${(toAllocatableMs / 1000).toFixed(2)} s\n`,
  );

  // The daemon pod: `-d` with NVIDIA's layout, then the limits (A100 80 GB / 2 replicas).
  const seen = calls();
  process.stdout.write(`MPS e2e, calls of the fake nvidia-cuda-mps-control:\n${seen.join('\n')}\n`);
  const env = `CUDA_MPS_PIPE_DIRECTORY=${PIPE_IN_POD} CUDA_MPS_LOG_DIRECTORY=/mps/nvidia.com/gpu/log`;
  expect(seen[0]).toBe(`argv=[-d] ${env} stdin=[]`);
  for (let i = 0; i < 8; i++)
    expect(seen).toContainEqual(expect.stringMatching(`stdin=\\[set_default_device_pinned_mem_limit ${i} \\d+M\\]`));
  expect(seen).toContain(`argv=[] ${env} stdin=[set_default_active_thread_percentage 50]`);
  // The plugin's health query, then the replicas: only after the daemon was ready.
  expect(seen).toContain(`argv=[] ${env} stdin=[get_default_active_thread_percentage]`);
  expect(fs.existsSync(path.join(RESOURCE_DIR, '.started'))).toBe(true);
  // The plugin's pod only, though the MPS daemon's pod runs beside it with the same app name label.
  const logs = pluginLogs();
  const ready = logs.findIndex((l) => l.msg === 'MPS control daemon is ready');
  const registered = logs.findIndex((l) => l.msg === 'registered with the kubelet');
  expect(ready).toBeGreaterThanOrEqual(0);
  expect(registered).toBeGreaterThan(ready);

  // A workload for one replica: the env, the FIFO the daemon made, the two mounts.
  runJob(gpuJobYaml('mps-one', INSPECT, { gpus: 1 }));
  let log: string;
  try {
    waitJobComplete('mps-one');
    log = jobLogs('mps-one');
  } finally {
    deleteJob('mps-one');
  }
  process.stdout.write(`MPS e2e, inside mps-one:\n${log}`);
  expect(log).toContain(`CUDA_MPS_PIPE_DIRECTORY=${PIPE_IN_POD}\n`);
  expect(log).toContain(`fifo ${PIPE_IN_POD}/control\n`);
  expect(log).toContain(`mount ${PIPE_IN_POD}\n`);
  expect(log).toContain('mount /dev/shm\n');
});

test('MPS: while the daemon is not ready, the plugin advertises no replicas; once it is, 16 again', async () => {
  // Hold the next `-d` back, then replace both pods: the old daemon removes .ready on SIGTERM.
  fs.writeFileSync(HOLD, '');
  kubectlOk(['-n', PLUGIN_NAMESPACE, 'delete', 'pod', '-l', 'app.kubernetes.io/name=gpu-device-plugin', '--wait=true']);
  await waitFor("the new plugin pod's log: waiting for the MPS control daemon", 60000, () =>
    kubectl(['-n', PLUGIN_NAMESPACE, 'logs', 'daemonset/gpu-device-plugin']).stdout.includes(
      'waiting for the MPS control daemon before advertising MPS replicas',
    ),
  );
  await waitFor(
    'allocatable nvidia.com/gpu 0 while the daemon is held',
    20000,
    () => nodeResource('allocatable', 'nvidia.com/gpu') === 0,
  );
  expect(fs.existsSync(path.join(MPS_ROOT, '.ready'))).toBe(false);
  const released = Date.now();
  fs.rmSync(HOLD);
  await waitForResource('nvidia.com/gpu', 16, 60000);
  process.stdout.write(
    `MPS e2e: daemon released → allocatable nvidia.com/gpu 16 in ${((Date.now() - released) / 1000).toFixed(2)} s\n`,
  );
});

test('MPS: removing the plugin quits the control daemon', async () => {
  // Stopping: the daemon pod's SIGTERM quits each control daemon and removes .ready.
  removePlugin();
  await waitFor('the fake control daemon told to quit', 30000, () => calls().some((c) => c.endsWith('stdin=[quit]')));
  expect(fs.existsSync(path.join(MPS_ROOT, '.ready'))).toBe(false);
  expect(kubectl(['get', 'namespace', PLUGIN_NAMESPACE]).code).not.toBe(0);
});
