/**
 * The device plugin as the e2e tests deploy it: the test image (plugin-image.sh), the
 * GpuDevicePlugin construct synthesized with that image, the node label its affinity asks
 * for, XID injection into the fake NVML, and the timing figures test 8 prints.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { GpuDevicePlugin, GpuDevicePluginProps, PluginImage } from '../../../src';
import { gpuUuid } from '../../plugin/helpers/fake-nvml';
import { PLUGIN_POD_SELECTOR } from './plugin-pods';
import { applyServerSide, CLUSTER, getJson, kubectl, kubectlOk, nodeResource, REPO_ROOT, waitFor } from './kube';

export const PLUGIN_NAMESPACE = 'gpu-device-plugin';
const E2E_DIR = join(REPO_ROOT, 'test', 'e2e');
/** Where plugin-image.sh points the fake NVML's events file (a subfolder of the DaemonSet's hostPath). */
export const FAKE_NVML_EVENTS_DIR = '/var/lib/kubelet/device-plugins/fake-nvml';
/** The UUIDs of the 8 fake GPUs of the `8gpu` image. */
export const FAKE_GPU_UUIDS: readonly string[] = Array.from({ length: 8 }, (_, i) => gpuUuid(i));

export type FakeTopology = '8gpu' | 'mig';

/** Builds (or reuses) the plugin test image and imports it into containerd; returns its reference. */
export function pluginImage(topology: FakeTopology): string {
  const out = execFileSync('bash', [join(E2E_DIR, 'plugin-image.sh'), topology], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop() ?? '';
}

/** The GpuDevicePlugin construct's manifests with only `image` (and the given props) set. */
export function synthDevicePlugin(image: string, props: GpuDevicePluginProps = {}): string {
  const app = new App();
  const chart = new Chart(app, 'e2e-device-plugin', { disableResourceNameHashes: true });
  new GpuDevicePlugin(chart, 'DevicePlugin', { ...props, image: PluginImage.fromReference(image) });
  return app.synthYaml();
}

/** The node label the DaemonSet's affinity matches (GPU feature discovery sets it on real nodes). */
export function labelGpuNode(): void {
  kubectlOk(['label', 'node', CLUSTER.nodeName, 'nvidia.com/gpu.present=true', '--overwrite']);
}

/** Removes the plugin namespace (and so the DaemonSet) and waits until its pods are gone. */
export function removePlugin(): void {
  kubectlOk(['delete', 'namespace', PLUGIN_NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s']);
}

/** Applies manifests and waits until the DaemonSet's pod on the node is Ready. */
export async function deployPlugin(yaml: string): Promise<void> {
  const applied = applyServerSide(yaml);
  if (applied.code !== 0) throw new Error(`applying the device plugin failed: ${applied.stderr}`);
  kubectlOk(['-n', PLUGIN_NAMESPACE, 'rollout', 'status', 'daemonset/gpu-device-plugin', '--timeout=120s']);
}

/** The plugin pods in `namespace` that run and are not being deleted (not the MPS control daemon's). */
export function runningPluginPods(namespace = PLUGIN_NAMESPACE): any[] {
  const pods = getJson(['-n', namespace, 'get', 'pods', '-l', PLUGIN_POD_SELECTOR]);
  return pods.items.filter((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
}

/** The running plugin pod's name. */
export function pluginPod(): string {
  const running = runningPluginPods();
  if (running.length !== 1) throw new Error(`expected one running plugin pod, found ${running.length}`);
  return running[0].metadata.name;
}

/** The plugin's JSON log records (pino), oldest first. */
export function pluginLogs(): Array<{ time: string; msg: string; [key: string]: unknown }> {
  const out = kubectl(['-n', PLUGIN_NAMESPACE, 'logs', pluginPod()]).stdout;
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/** Waits until the node advertises exactly `count` of `resource` in capacity and allocatable. */
export async function waitForResource(resource: string, count: number, timeoutMs: number): Promise<number> {
  const { elapsedMs } = await waitFor(
    `node ${CLUSTER.nodeName} ${resource} = ${count}`,
    timeoutMs,
    () => nodeResource('allocatable', resource) === count && nodeResource('capacity', resource) === count,
  );
  return elapsedMs;
}

/** Appends an XID event for a fake GPU, as the driver would report it through NVML. */
export function injectXid(topology: FakeTopology, uuid: string, xid: number): void {
  appendFileSync(join(FAKE_NVML_EVENTS_DIR, `${topology}.events`), `${uuid}\t${xid}\n`);
}

/** Ensures the default plugin (8 fake GPUs) runs and the node advertises 8 GPUs. */
export async function ensureDefaultPlugin(): Promise<string> {
  const image = pluginImage('8gpu');
  labelGpuNode();
  await deployPlugin(synthDevicePlugin(image));
  await waitForResource('nvidia.com/gpu', 8, 60000);
  return image;
}

const TIMINGS_FILE = join(REPO_ROOT, '.cache', 'e2e', 'timings.json');

export interface Timing {
  name: string;
  ms: number;
  limitMs: number;
}

/** Records one timing figure for test 8 (kept across the test files of one run). */
export function recordTiming(name: string, ms: number, limitMs: number): void {
  const all = readTimings().filter((t) => t.name !== name);
  all.push({ name, ms, limitMs });
  mkdirSync(dirname(TIMINGS_FILE), { recursive: true });
  writeFileSync(TIMINGS_FILE, JSON.stringify(all, null, 2));
}

export function readTimings(): Timing[] {
  return existsSync(TIMINGS_FILE) ? (JSON.parse(readFileSync(TIMINGS_FILE, 'utf8')) as Timing[]) : [];
}

export function clearTimings(): void {
  writeFileSync(TIMINGS_FILE, '[]');
}
