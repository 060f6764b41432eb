/**
 * The MPS control daemon (`gpu-device-plugin mps-control-daemon`) and the plugin waiting
 * for it, as real processes: the fake NVML, the kubelet stub, and a fake
 * `nvidia-cuda-mps-control` on PATH that daemonizes and records every call.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec, gpuUuid } from '../helpers/fake-nvml';
import { fakeDaemonRunning, writeFakeMpsControl, type FakeMpsControl } from '../helpers/fake-mps-control';
import { PluginProcess, httpGet, startNode, waitForHttp, type NodeUnderTest } from './plugin-process';

jest.setTimeout(60000);

const GPU = 'nvidia.com/gpu';
const HOST_MPS_ROOT = '/run/nvidia/mps';
const CONFIG = `version: v1
sharing:
  mps:
    resources:
      - name: nvidia.com/gpu
        replicas: 4
`;

let n: NodeUnderTest;
let fake: FakeMpsControl;
let work: string;
let mpsRoot: string;
let daemon: PluginProcess | undefined;

function mpsEnv(): Record<string, string> {
  return {
    CONFIG_FILE: path.join(work, 'config.yaml'),
    MPS_ROOT: HOST_MPS_ROOT,
    GPU_DEVICE_PLUGIN_MPS_CONTAINER_ROOT: mpsRoot,
    PATH: `${fake.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-'));
  fs.writeFileSync(path.join(work, 'config.yaml'), CONFIG);
  fake = writeFakeMpsControl(work);
  mpsRoot = path.join(work, 'mps');
  // The plugin starts first, as after a node reboot: it must wait for the daemon.
  n = await startNode(defaultSpec(2), { env: mpsEnv() });
});

afterAll(async () => {
  await daemon?.stop();
  await n?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('MPS: the plugin waits for the control daemon', () => {
  it('logs what it waits for, is not ready, and registers nothing', async () => {
    const line = await n.plugin.waitForLog('waiting for the MPS control daemon');
    expect(line.missing).toBe(`${path.join(mpsRoot, '.ready')} does not exist`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(n.stub.registrations).toHaveLength(0);
    const ready = await httpGet(n.port, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('waiting for the MPS control daemon (nvidia.com/gpu)');
  });

  it("the daemon subcommand starts nvidia-cuda-mps-control -d per MPS resource with NVIDIA's layout and limits", async () => {
    daemon = PluginProcess.start(['mps-control-daemon'], { ...n.node.env, ...mpsEnv() });
    await daemon.waitForLog('MPS control daemons ready', 20000);
    const pipeDir = path.join(mpsRoot, GPU, 'pipe');
    const logDir = path.join(mpsRoot, GPU, 'log');
    const calls = fake.calls();
    const start = calls.filter((c) => c.args.join(' ') === '-d');
    expect(start).toEqual([{ args: ['-d'], pipeDir, logDir, input: '', hadPath: false }]);
    // defaultSpec GPUs have 81920 MiB; 4 replicas each → 20480M per GPU, 25 % of the threads.
    const inputs = calls.filter((c) => c.args.length === 0).map((c) => c.input);
    expect(inputs.slice(0, 3)).toEqual([
      'set_default_device_pinned_mem_limit 0 20480M',
      'set_default_device_pinned_mem_limit 1 20480M',
      'set_default_active_thread_percentage 25',
    ]);
    expect(fs.existsSync(path.join(mpsRoot, '.ready'))).toBe(true);
    expect(fs.existsSync(path.join(mpsRoot, GPU, '.started'))).toBe(true);
    expect(fakeDaemonRunning(pipeDir)).toBe(true);
  });

  it("the plugin then registers the MPS replicas and a pod's Allocate gets the pipe directory", async () => {
    await n.stub.waitForResources([GPU], 20000);
    await n.plugin.waitForLog('MPS control daemon is ready');
    // It asked the daemon, as NVIDIA's AssertHealthy does.
    expect(fake.calls().some((c) => c.input === 'get_default_active_thread_percentage')).toBe(true);
    expect(n.stub.latest(GPU)).toHaveLength(8);
    await waitForHttp(n.port, '/readyz', 200);
    const res = await n.stub.client(GPU).allocateIds([`${gpuUuid(1)}::2`]);
    const c = res.container_responses[0];
    expect(c.envs.CUDA_MPS_PIPE_DIRECTORY).toBe(`/mps/${GPU}/pipe`);
    expect(c.mounts).toEqual(
      expect.arrayContaining([
        { container_path: `/mps/${GPU}/pipe`, host_path: `${HOST_MPS_ROOT}/${GPU}/pipe`, read_only: false },
        { container_path: '/dev/shm', host_path: `${HOST_MPS_ROOT}/shm`, read_only: false },
      ]),
    );
  });

  it('SIGTERM quits the daemons and removes the markers', async () => {
    const pipeDir = path.join(mpsRoot, GPU, 'pipe');
    const exit = await daemon!.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(fake.calls().at(-1)).toMatchObject({ args: [], input: 'quit', pipeDir });
    expect(fs.existsSync(path.join(mpsRoot, '.ready'))).toBe(false);
    expect(fs.existsSync(path.join(mpsRoot, GPU, '.started'))).toBe(false);
    expect(fs.existsSync(path.join(mpsRoot, GPU, 'log'))).toBe(false);
    expect(fakeDaemonRunning(pipeDir)).toBe(false);
    daemon = undefined;
  });
});

describe('MPS: errors for people', () => {
  it('the daemon without nvidia-cuda-mps-control on PATH says where it looked and retries', async () => {
    const p = PluginProcess.start(['mps-control-daemon'], { ...n.node.env, ...mpsEnv(), PATH: '/usr/bin:/bin' });
    try {
      const line = await p.waitForLog('failed to start one or more MPS control daemons');
      expect(String(line.err)).toContain('nvidia-cuda-mps-control is not on PATH (/usr/bin:/bin)');
      expect(line.retryInMs).toBe(30000);
    } finally {
      expect(await p.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('a plugin stopped while it waits exits 0', async () => {
    const root = path.join(work, 'mps-never');
    const p = PluginProcess.start([], {
      ...n.node.env,
      ...mpsEnv(),
      GPU_DEVICE_PLUGIN_MPS_CONTAINER_ROOT: root,
      DEVICE_PLUGIN_PATH: n.stub.dir,
    });
    await p.waitForLog('waiting for the MPS control daemon');
    expect(await p.stop()).toEqual({ code: 0, signal: null });
  });
});
