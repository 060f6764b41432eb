/**
 * The MPS control daemon manager, NVIDIA's cmd/mps-control-daemon in our layering: for
 * each MPS-shared resource of the config, start `nvidia-cuda-mps-control -d` with its own
 * pipe and log directory under the MPS root, set the default pinned memory limit per GPU
 * and the default active thread percentage as NVIDIA does, mark it `.started`, then mark
 * the root `.ready`; on stop, remove `.ready` and `quit` each daemon.
 */
import * as fs from 'node:fs';
import type { AdvertisedResource, DeviceInventory } from '../devices/types.js';
import type { Logger } from '../observability/logger.js';
import { sendControlCommand, startControlDaemon } from './control.js';
import { readyFile, resourceLayout, type MpsResourceLayout } from './layout.js';

export interface MpsDaemonPlan {
  resource: string;
  layout: MpsResourceLayout;
  /** `set_default_device_pinned_mem_limit <index> <limit>` per GPU index, e.g. `['0', '20480M']`. */
  pinnedMemLimits: Array<[string, string]>;
  /** `set_default_active_thread_percentage <n>`, or undefined when the resource has no devices. */
  activeThreadPercentage?: string;
}

/**
 * One daemon per resource shared with MPS that has devices (NVIDIA skips empty and unshared
 * resources). MIG devices cannot use MPS: such a resource is refused with the reason.
 */
export function planDaemons(
  root: string,
  resources: readonly AdvertisedResource[],
  inventory: DeviceInventory,
): MpsDaemonPlan[] {
  const plans: MpsDaemonPlan[] = [];
  for (const resource of resources) {
    if (resource.sharing !== 'mps' || resource.devices.length === 0) continue;
    const mig = resource.devices.find((d) => d.mig);
    if (mig) {
      throw new Error(
        `resource ${resource.name} is shared with MPS but includes MIG device ${mig.uuid}; MPS is not supported on MIG devices: ` +
          'use migStrategy none, or time-slicing for MIG resources',
      );
    }
    const replicasPerIndex = new Map<string, number>();
    for (const d of resource.devices) replicasPerIndex.set(d.index, (replicasPerIndex.get(d.index) ?? 0) + 1);
    const pinnedMemLimits: Array<[string, string]> = [];
    for (const [index, replicas] of replicasPerIndex) {
      const gpu = inventory.gpus.find((g) => String(g.index) === index);
      const memoryMiB = gpu?.memoryMiB ?? 0;
      // NVIDIA: totalMemory / replicas / 1024 / 1024, in whole MiB; a GPU reporting 0 gets no limit.
      if (memoryMiB > 0) pinnedMemLimits.push([index, `${Math.floor(memoryMiB / replicas)}M`]);
    }
    const uuids = new Set(resource.devices.map((d) => d.uuid)).size;
    const replicasPerDevice = Math.floor(resource.devices.length / uuids);
    plans.push({
      resource: resource.name,
      layout: resourceLayout(root, resource.name),
      pinnedMemLimits,
      activeThreadPercentage: String(Math.floor(100 / replicasPerDevice)),
    });
  }
  return plans;
}

/** Starts one daemon: directories, `-d`, limits, `.started`. Throws with the failing step. */
export async function startDaemon(binary: string, plan: MpsDaemonPlan, log: Logger): Promise<void> {
  const { layout } = plan;
  log.info({ resource: plan.resource, pipeDir: layout.pipeDir, logDir: layout.logDir }, 'starting MPS control daemon');
  fs.mkdirSync(layout.pipeDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(layout.logDir, { recursive: true, mode: 0o755 });
  await startControlDaemon(binary, layout);
  for (const [index, limit] of plan.pinnedMemLimits) {
    await sendControlCommand(binary, layout, `set_default_device_pinned_mem_limit ${index} ${limit}`);
  }
  if (plan.activeThreadPercentage !== undefined) {
    await sendControlCommand(binary, layout, `set_default_active_thread_percentage ${plan.activeThreadPercentage}`);
  }
  fs.writeFileSync(layout.startedFile, '');
  log.info(
    {
      resource: plan.resource,
      pinnedMemLimits: Object.fromEntries(plan.pinnedMemLimits),
      activeThreadPercentage: plan.activeThreadPercentage,
    },
    'MPS control daemon started',
  );
}

/** Quits one daemon and removes its `.started` marker and log directory, as NVIDIA's Stop does. */
export async function stopDaemon(binary: string, plan: MpsDaemonPlan, log: Logger): Promise<void> {
  try {
    await sendControlCommand(binary, plan.layout, 'quit');
    log.info({ resource: plan.resource }, 'stopped MPS control daemon');
  } finally {
    fs.rmSync(plan.layout.startedFile, { force: true });
    fs.rmSync(plan.layout.logDir, { recursive: true, force: true });
  }
}

/** Starts every daemon, then writes `<root>/.ready`. On a failure, stops those started and throws. */
export async function startAll(
  binary: string,
  root: string,
  plans: readonly MpsDaemonPlan[],
  log: Logger,
): Promise<void> {
  const started: MpsDaemonPlan[] = [];
  try {
    for (const plan of plans) {
      await startDaemon(binary, plan, log);
      started.push(plan);
    }
  } catch (err) {
    await stopAll(binary, root, started, log);
    throw err;
  }
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(readyFile(root), '');
  log.info({ file: readyFile(root), daemons: plans.map((p) => p.resource) }, 'MPS control daemons ready');
}

/** Removes `<root>/.ready` first (the plugin stops trusting the daemons), then quits each. */
export async function stopAll(
  binary: string,
  root: string,
  plans: readonly MpsDaemonPlan[],
  log: Logger,
): Promise<void> {
  fs.rmSync(readyFile(root), { force: true });
  const errors: string[] = [];
  for (const plan of plans) {
    await stopDaemon(binary, plan, log).catch((err: Error) => errors.push(err.message));
  }
  if (errors.length > 0) throw new Error(`stopping MPS control daemons: ${errors.join('; ')}`);
}
