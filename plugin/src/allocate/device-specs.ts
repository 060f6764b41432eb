/**
 * Device nodes for passDeviceSpecs (NVIDIA's apiDeviceSpecs): the control nodes when
 * they exist, then each GPU's /dev/nvidiaN, and for a MIG device also the GPU- and
 * compute-instance capability nodes under /dev/nvidia-caps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdvertisedDevice } from '../devices/types.js';
import type { DeviceSpec } from '../kubelet/api-types.js';

/** Present on most nodes but not all (no UVM module, no display driver): added only if found. */
export const OPTIONAL_CONTROL_NODES = [
  '/dev/nvidiactl',
  '/dev/nvidia-uvm',
  '/dev/nvidia-uvm-tools',
  '/dev/nvidia-modeset',
];

export const IMEX_CHANNEL_DIR = '/dev/nvidia-caps-imex-channels';

/** Whether a device node exists; injectable so tests need no real /dev/nvidia*. */
export type NodeExists = (containerPath: string, devRoot: string) => boolean;

/**
 * NVIDIA stats the node as the plugin's container sees it; the node may instead sit
 * under the driver's dev root (driver container). Either counts as present.
 */
export const defaultNodeExists: NodeExists = (containerPath, devRoot) =>
  fs.existsSync(containerPath) || fs.existsSync(path.join(devRoot, containerPath));

function devicePaths(device: AdvertisedDevice): string[] {
  const paths = [`/dev/nvidia${device.minor}`];
  const mig = device.mig;
  if (mig) {
    if (mig.gpuInstanceCapMinor !== undefined) paths.push(`/dev/nvidia-caps/nvidia-cap${mig.gpuInstanceCapMinor}`);
    if (mig.computeInstanceCapMinor !== undefined)
      paths.push(`/dev/nvidia-caps/nvidia-cap${mig.computeInstanceCapMinor}`);
  }
  return paths;
}

export function imexChannelPath(channelId: number | string): string {
  return `${IMEX_CHANNEL_DIR}/channel${channelId}`;
}

/**
 * DeviceSpecs for `devices` (already de-duplicated) plus IMEX channels, host paths
 * under `devRoot`, permissions rw. A node shared by several devices (two MIG devices
 * of one GPU) is listed once: the kubelet keys device mappings by container path.
 */
export function deviceSpecs(
  devices: readonly AdvertisedDevice[],
  devRoot: string,
  imexChannelIds: readonly number[],
  exists: NodeExists = defaultNodeExists,
): DeviceSpec[] {
  const paths = OPTIONAL_CONTROL_NODES.filter((p) => exists(p, devRoot));
  for (const device of devices) paths.push(...devicePaths(device));
  for (const channel of imexChannelIds) paths.push(imexChannelPath(channel));
  return [...new Set(paths)].map((p) => ({
    container_path: p,
    host_path: path.join(devRoot, p),
    permissions: 'rw',
  }));
}
