/**
 * CDI on a CDI-capable runtime: the e2e node runs containerd 2 (test/tools/containerd.sh) with
 * CDI enabled and `cdi_spec_dirs` = /var/run/cdi, where the plugin's DaemonSet writes its spec.
 * The plugin runs with `deviceListStrategy: [cdi-cri]` (then `[cdi-annotations]`) on a fake
 * driver root (helpers/fake-driver.ts); a GpuJob asking for GPUs must see, inside its
 * container, exactly what our spec lists: the allocated GPUs' /dev/nvidiaN, the control
 * devices, the driver libraries bind-mounted, the spec's env, and the hooks run by runc.
 * Nothing in the Allocate answer carries these under the CDI strategies (no env, no device
 * specs, no mounts): only containerd resolving our spec can put them there.
 */
import * as fs from 'node:fs';
import { DeviceListStrategy } from '../../src';
import { createFakeDriverRoot, FAKE_DRIVER_VERSION, type FakeDriverRoot } from './helpers/fake-driver';
import { deleteJob, ensureJobsNamespace, gpuJobYaml, jobLogs, runJob, waitJobComplete } from './helpers/jobs';
import {
  deployPlugin,
  ensureDefaultPlugin,
  labelGpuNode,
  pluginImage,
  synthDevicePlugin,
  waitForResource,
} from './helpers/plugin';
import { waitFor } from './helpers/kube';

const SPEC_FILE = '/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json';
const LIBCUDA = `/usr/lib/x86_64-linux-gnu/libcuda.so.${FAKE_DRIVER_VERSION}`;
// What the container sees: every /dev/nvidia* character device with its major:minor (hex,
// as busybox stat prints them), the env the spec sets, the library mounts. The sleep: give
// the kubelet time to read the log before the container is gone.
const INSPECT = [
  'echo "NVIDIA_VISIBLE_DEVICES=${NVIDIA_VISIBLE_DEVICES-unset}"',
  'for f in /dev/nvidia*; do [ -c "$f" ] && echo "chardev $f $(stat -c %t:%T "$f")"; done',
  `[ -f ${LIBCUDA} ] && echo "file ${LIBCUDA} $(stat -c %s ${LIBCUDA})"`,
  "grep -E 'libcuda|libnvidia|nvidia-smi' /proc/mounts | awk '{print \"mount \" $2}'",
  'sleep 1',
].join('; ');

interface Seen {
  env: string;
  devices: Map<string, string>;
  mounts: string[];
  files: string[];
}

function parse(log: string): Seen {
  const lines = log.split('\n');
  const devices = new Map<string, string>();
  for (const l of lines.filter((x) => x.startsWith('chardev '))) {
    const [, file, majorMinor] = l.split(' ');
    devices.set(file, majorMinor);
  }
  return {
    env: (lines.find((l) => l.startsWith('NVIDIA_VISIBLE_DEVICES=')) ?? '').split('=')[1] ?? '',
    devices,
    mounts: lines.filter((l) => l.startsWith('mount ')).map((l) => l.slice(6)),
    files: lines.filter((l) => l.startsWith('file ')).map((l) => l.slice(5)),
  };
}

function gpuNodes(seen: Seen): string[] {
  return [...seen.devices.keys()].filter((f) => /^\/dev\/nvidia\d+$/.test(f)).sort();
}

let driver: FakeDriverRoot;

async function deployCdiPlugin(strategy: DeviceListStrategy): Promise<void> {
  await deployPlugin(
    synthDevicePlugin(pluginImage('8gpu'), {
      deviceListStrategy: [strategy],
      nvidiaDriverRoot: driver.root,
      // The hook binary the spec names: the fake root's recording script (a host path, run by runc).
      extraEnv: { NVIDIA_CDI_HOOK_PATH: driver.hookPath },
    }),
  );
  await waitForResource('nvidia.com/gpu', 8, 60000);
  await waitFor(`the plugin's CDI spec in ${SPEC_FILE}`, 30000, () => fs.existsSync(SPEC_FILE));
}

/** Runs a GpuJob for `gpus` GPUs, prints what it saw, and returns it parsed. */
function runInspect(name: string, gpus: number): Seen {
  runJob(gpuJobYaml(name, INSPECT, { gpus }));
  try {
    waitJobComplete(name);
    const log = jobLogs(name);
    process.stdout.write(`CDI e2e, inside ${name}:\n${log}`);
    return parse(log);
  } finally {
    deleteJob(name);
  }
}

function expectSpecApplied(seen: Seen, gpus: number): void {
  const spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8'));
  expect(spec.kind).toBe('k8s.device-plugin.nvidia.com/gpu');
  // The GPUs: exactly as many /dev/nvidiaN as requested, each one a device our spec lists,
  // with the major:minor of the fake node's node (195:N).
  const specGpuNodes = new Set<string>(
    spec.devices.flatMap((d: any) => d.containerEdits.deviceNodes.map((n: any) => n.path)),
  );
  const nodes = gpuNodes(seen);
  expect(nodes).toHaveLength(gpus);
  for (const n of nodes) {
    expect(specGpuNodes.has(n)).toBe(true);
    expect(seen.devices.get(n)).toBe(`c3:${Number(n.replace('/dev/nvidia', '')).toString(16)}`);
  }
  // The control devices and env of the spec's common edits (195:255, 510:0 in hex).
  expect(seen.devices.get('/dev/nvidiactl')).toBe('c3:ff');
  expect(seen.devices.get('/dev/nvidia-uvm')).toBe('1fe:0');
  expect(spec.containerEdits.env).toContain('NVIDIA_VISIBLE_DEVICES=void');
  expect(seen.env).toBe('void');
  // The driver library, bind-mounted from the fake driver root.
  expect(seen.mounts).toContain(LIBCUDA);
  expect(seen.files.join('\n')).toContain(LIBCUDA);
}

beforeAll(() => {
  labelGpuNode();
  ensureJobsNamespace();
  driver = createFakeDriverRoot('cdi-driver');
});

afterAll(async () => {
  // Back to the default plugin (envvar): the CDI plugin stops and removes its spec.
  await ensureDefaultPlugin();
  await waitFor(`${SPEC_FILE} removed when the CDI plugin stopped`, 30000, () => !fs.existsSync(SPEC_FILE));
  driver.remove();
});

test('cdi-cri: a GpuJob for 2 GPUs gets the device nodes, mounts, env and hooks of our CDI spec', async () => {
  await deployCdiPlugin(DeviceListStrategy.CDI_CRI);
  const hooksBefore = driver.hookCalls().length;
  const seen = runInspect('cdi-cri', 2);
  expectSpecApplied(seen, 2);
  // runc ran the spec's createContainer hooks (the fake root's recording nvidia-cdi-hook).
  const hooks = driver.hookCalls().slice(hooksBefore);
  process.stdout.write(`CDI e2e, hooks run by runc:\n${hooks.join('\n')}\n`);
  expect(hooks.some((h) => h.startsWith('create-symlinks') && h.includes('libcuda.so.1::'))).toBe(true);
  expect(hooks.some((h) => h.startsWith('enable-cuda-compat'))).toBe(true);
  expect(hooks.some((h) => h.startsWith('update-ldcache'))).toBe(true);
});

test('cdi-annotations: a GpuJob for 1 GPU gets its device node through the cdi.k8s.io annotation', async () => {
  await deployCdiPlugin(DeviceListStrategy.CDI_ANNOTATIONS);
  const seen = runInspect('cdi-annotations', 1);
  expectSpecApplied(seen, 1);
});
