/**
 * The command itself: --help, the idle mode of failOnInitError=false on a node without
 * a GPU driver, and /healthz, /readyz, /metrics on the configured port.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec, gpuUuid } from '../helpers/fake-nvml';
import { watchChild } from '../../helpers/child-output';
import { KubeletStub } from '../helpers/kubelet-stub';
import {
  BIN,
  buildPlugin,
  fakeNode,
  freePort,
  httpGet,
  PluginProcess,
  REPO_ROOT,
  startNode,
  UNBUNDLED_BIN,
  waitForHttp,
} from './plugin-process';

jest.setTimeout(60000);

/** Every flag of NVIDIA's plugin and ours, as the issue and the contract list them. */
const FLAGS = [
  ['--mig-strategy', 'MIG_STRATEGY'],
  ['--fail-on-init-error', 'FAIL_ON_INIT_ERROR'],
  ['--driver-root', 'NVIDIA_DRIVER_ROOT'],
  ['--dev-root', 'NVIDIA_DEV_ROOT'],
  ['--pass-device-specs', 'PASS_DEVICE_SPECS'],
  ['--device-list-strategy', 'DEVICE_LIST_STRATEGY'],
  ['--device-id-strategy', 'DEVICE_ID_STRATEGY'],
  ['--gdrcopy-enabled', 'GDRCOPY_ENABLED'],
  ['--gds-enabled', 'GDS_ENABLED'],
  ['--mofed-enabled', 'MOFED_ENABLED'],
  ['--cdi-annotation-prefix', 'CDI_ANNOTATION_PREFIX'],
  ['--mps-root', 'MPS_ROOT'],
  ['--config-file', 'CONFIG_FILE'],
  ['--kubelet-socket', 'KUBELET_SOCKET'],
  ['--device-plugin-path', 'DEVICE_PLUGIN_PATH'],
  ['--nvml-library-path', 'NVML_LIBRARY_PATH'],
  ['--metrics-port', 'METRICS_PORT'],
  ['--metrics-bind-address', 'METRICS_BIND_ADDRESS'],
  ['--log-level', 'LOG_LEVEL'],
  ['--health-recovery-seconds', 'HEALTH_RECOVERY_SECONDS'],
];

describe('gpu-device-plugin --help', () => {
  let help: string;

  beforeAll(() => {
    buildPlugin();
    help = execFileSync(process.execPath, [BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  });

  it.each(FLAGS)('lists %s with its env var %s', (flag, env) => {
    expect(help).toContain(flag);
    expect(help).toContain(env);
  });

  it.each(['-h', '--h', '-help', '--help', '--help=true', '-help=TRUE'])('%s prints the help and exits 0', (flag) => {
    // execFileSync throws on a non-zero exit; a plugin that started instead would not print this.
    const out = execFileSync(process.execPath, [BIN, flag], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15000 });
    expect(out).toContain('--fail-on-init-error');
    expect(out).toContain('FAIL_ON_INIT_ERROR');
  });
});

describe('the bundled entry (what the image runs)', () => {
  let dir: string;
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the same help as the unbundled bin/ and lib/', () => {
    buildPlugin();
    const bundled = execFileSync(process.execPath, [BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const unbundled = execFileSync(process.execPath, [UNBUNDLED_BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(bundled).toBe(unbundled);
  });

  it('registers and answers Allocate laid out as in the image: the bundle, proto/ and node_modules holding koffi only', async () => {
    buildPlugin();
    // /opt/gpu-device-plugin of the image: nothing but koffi beside the bundle, so any
    // package esbuild failed to bundle cannot be found and the plugin would fail here.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-layout-'));
    const app = path.join(dir, 'plugin');
    fs.mkdirSync(path.join(app, 'lib', 'bundle'), { recursive: true });
    fs.copyFileSync(BIN, path.join(app, 'lib', 'bundle', 'gpu-device-plugin.js'));
    fs.cpSync(path.join(REPO_ROOT, 'plugin', 'proto'), path.join(app, 'proto'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const pkg of ['koffi', '@koromix'])
      fs.cpSync(path.join(REPO_ROOT, 'node_modules', pkg), path.join(dir, 'node_modules', pkg), { recursive: true });
    const stub = await KubeletStub.start();
    const node = fakeNode(dir, defaultSpec(2));
    const child = spawn(
      process.execPath,
      [path.join(app, 'lib', 'bundle', 'gpu-device-plugin.js'), '--metrics-port=0'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...node.env, DEVICE_PLUGIN_PATH: stub.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const { output, exited } = watchChild(child);
    try {
      await stub.waitForResources(['nvidia.com/gpu'], 20000).catch((err: Error) => {
        throw new Error(`${err.message}; plugin output:\n${output().slice(-3000)}`);
      });
      const res = await stub.client('nvidia.com/gpu').allocateIds([gpuUuid(0)]);
      expect(res.container_responses[0].envs.NVIDIA_VISIBLE_DEVICES).toBe(gpuUuid(0));
    } finally {
      child.kill('SIGTERM');
      await exited;
      await stub.stop();
    }
  });
});

describe('gpu-device-plugin idling with --fail-on-init-error=false and no HTTP port', () => {
  /** Starts the plugin, checks it is still up after `aliveMs`, then SIGTERM must give exit 0. */
  async function staysUpThenStops(env: Record<string, string>, aliveMs = 4000): Promise<PluginProcess> {
    const plugin = PluginProcess.start(['--fail-on-init-error=false', '--metrics-port=0'], {
      LOG_LEVEL: 'info',
      ...env,
    });
    await plugin.waitForLog('idling', 15000).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}\nexit: ${JSON.stringify(plugin.running ? 'running' : await plugin.exited)}`,
      );
    });
    await new Promise((r) => setTimeout(r, aliveMs));
    expect(plugin.running).toBe(true);
    const exit = await plugin.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    return plugin;
  }

  it('stays alive on a node without NVML (no library at all) until SIGTERM, then exits 0', async () => {
    const dir = fs.mkdtempSync('/tmp/nonvml-');
    try {
      await staysUpThenStops({ NVML_LIBRARY_PATH: `${dir}/libnvidia-ml.so.1`, DEVICE_PLUGIN_PATH: dir });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays alive when NVML fails to initialise (driver not loaded) until SIGTERM, then exits 0', async () => {
    const dir = fs.mkdtempSync('/tmp/nogpu-');
    try {
      await staysUpThenStops({ ...fakeNode(dir, { initResult: 9, gpus: [] }).env, DEVICE_PLUGIN_PATH: dir });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays alive on a node whose NVML reports no GPUs and no kubelet to register with', async () => {
    const dir = fs.mkdtempSync('/tmp/zerogpu-');
    try {
      const plugin = PluginProcess.start(['--fail-on-init-error=false', '--metrics-port=0', '--kubelet-socket='], {
        ...fakeNode(dir, { gpus: [] }).env,
        DEVICE_PLUGIN_PATH: dir,
        LOG_LEVEL: 'info',
      });
      await plugin.waitForLog('no devices found', 15000);
      await new Promise((r) => setTimeout(r, 4000));
      expect(plugin.running).toBe(true);
      expect(await plugin.stop()).toEqual({ code: 0, signal: null });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gpu-device-plugin on a node without a GPU driver', () => {
  it('idles with failOnInitError=false: stays up, registers nothing, /readyz answers 200', async () => {
    const n = await startNode({ initResult: 9, gpus: [] }, { env: { FAIL_ON_INIT_ERROR: 'false' } });
    try {
      await n.plugin.waitForLog('idling without resources');
      await expect(httpGet(n.port, '/readyz')).resolves.toMatchObject({ status: 200 });
      await expect(httpGet(n.port, '/healthz')).resolves.toMatchObject({ status: 200 });
      expect(n.stub.registrations).toEqual([]);
      expect(n.plugin.running).toBe(true);
    } finally {
      await n.stop();
    }
  });

  it('exits 1 with failOnInitError=true, saying how to let it idle', async () => {
    const dir = fs.mkdtempSync('/tmp/nogpu-');
    const node = fakeNode(dir, { initResult: 9, gpus: [] });
    const plugin = PluginProcess.start([], {
      ...node.env,
      METRICS_PORT: String(await freePort()),
      DEVICE_PLUGIN_PATH: dir,
    });
    expect((await plugin.exited).code).toBe(1);
    expect(plugin.stderr).toContain('failOnInitError');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('gpu-device-plugin HTTP endpoints', () => {
  it('answers /readyz 503 with the reason until registered, then 200', async () => {
    const n = await startNode(defaultSpec(2), { rejectRegistrations: 'not now' });
    try {
      await n.stub.waitFor('a refused registration', () => n.stub.registerCount('nvidia.com/gpu') > 0, 30000);
      await expect(waitForHttp(n.port, '/readyz', 503)).resolves.toMatchObject({
        body: 'not registered with the kubelet yet: nvidia.com/gpu\n',
      });
      n.stub.rejectWith = undefined;
      await expect(waitForHttp(n.port, '/readyz', 200, 20000)).resolves.toMatchObject({
        body: 'registered with the kubelet: nvidia.com/gpu\n',
      });
    } finally {
      await n.stop();
    }
  });

  it('serves the device, registration and process metrics on /metrics', async () => {
    const n = await startNode(defaultSpec(2));
    try {
      await n.stub.waitForResources(['nvidia.com/gpu'], 30000);
      await waitForHttp(n.port, '/readyz', 200);
      const { body } = await httpGet(n.port, '/metrics');
      expect(body).toContain('gpu_device_plugin_devices{resource="nvidia.com/gpu",health="Healthy"} 2');
      expect(body).toContain('gpu_device_plugin_registrations_total{resource="nvidia.com/gpu",result="success"} 1');
      expect(body).toContain('process_resident_memory_bytes');
    } finally {
      await n.stop();
    }
  });
});
