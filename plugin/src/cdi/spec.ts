/**
 * The CDI spec that makes the names our Allocate answers with under the CDI strategies
 * (`k8s.device-plugin.nvidia.com/gpu=<id>`) resolvable by containerd and CRI-O: one device
 * per full GPU (MIG disabled) and per MIG device, named by UUID or by NVIDIA's index form,
 * plus the driver's control nodes, libraries, firmware, binaries and hooks for every
 * container. Same layout as the spec NVIDIA's plugin v0.20.0 writes for the same node
 * (checked by test/plugin/cdi/nvidia-spec.test.ts against NVIDIA's own binary).
 */
import * as path from 'node:path';
import { CDI_VENDOR } from '../constants.js';
import type { DeviceIdStrategy } from '../config/types.js';
import type { DeviceInventory } from '../devices/types.js';
import {
  findBinaries,
  findCharDevice,
  findDriverLibraries,
  findFirmware,
  findIpc,
  libcudaDir,
  librarySymlinks,
  type CdiDeviceNode,
  type CdiMount,
  type Root,
} from './host-files.js';

/** The CDI class of every device, full GPU or MIG, as NVIDIA's plugin names them. */
export const CDI_CLASS = 'gpu';
export const CDI_KIND = `${CDI_VENDOR}/${CDI_CLASS}`;
/**
 * The lowest CDI version whose schema holds this spec (device node `hostPath` needs 0.5.0;
 * nothing here needs more). The CDI library's MinimumRequiredVersion agrees (Go validator test).
 */
export const CDI_VERSION = '0.5.0';
/** `<vendor>-<class>.json`, what container-device-interface's GenerateNameForSpec gives. */
export const CDI_SPEC_FILE = `${CDI_VENDOR}-${CDI_CLASS}.json`;

export interface CdiHook {
  hookName: 'createContainer';
  path: string;
  args: string[];
  env: string[];
}

export interface CdiContainerEdits {
  env?: string[];
  deviceNodes?: CdiDeviceNode[];
  hooks?: CdiHook[];
  mounts?: CdiMount[];
  additionalGids?: number[];
}

export interface CdiDevice {
  name: string;
  containerEdits: CdiContainerEdits;
}

export interface CdiSpec {
  cdiVersion: string;
  kind: string;
  devices: CdiDevice[];
  containerEdits: CdiContainerEdits;
}

export interface CdiSpecOptions {
  /** Driver root as this process sees it (containerDriverRoot) and as the host sees it (nvidiaDriverRoot). */
  driverRoot: Root;
  devRoot: Root;
  /** The hook binary named in the spec (nvidiaCTKPath). */
  hookPath: string;
  deviceIdStrategy: DeviceIdStrategy;
  /** Hook names to leave out (`--cdi-disable-hooks`); `all` leaves out every hook. */
  disabledHooks?: readonly string[];
  /** sysfs root for the kernel's custom firmware path; default /sys. */
  sysRoot?: string;
}

/** Something in the spec could not be built; says what and what to do. */
export class CdiSpecError extends Error {}

/**
 * A device with no device node on this node. NVIDIA's plugin then writes no spec and keeps
 * serving ("Ignoring empty CDI specs"); ours does the same, logging this message.
 */
export class EmptyCdiDeviceError extends CdiSpecError {}

const CONTROL_NODES = ['/dev/nvidia-modeset', '/dev/nvidia-uvm-tools', '/dev/nvidia-uvm', '/dev/nvidiactl'];

function hookFactory(opts: CdiSpecOptions): (name: string, args?: string[]) => CdiHook | undefined {
  const disabled = new Set(opts.disabledHooks ?? []);
  const base = path.basename(opts.hookPath);
  const fixed = base === 'nvidia-ctk' ? [base, 'hook'] : [base];
  return (name, args = []) => {
    if (disabled.has(name) || disabled.has('all')) return undefined;
    return {
      hookName: 'createContainer',
      path: opts.hookPath,
      args: [...fixed, name, ...args],
      env: ['NVIDIA_CTK_DEBUG=false'],
    };
  };
}

function nodesEdits(paths: string[], devRoot: Root): CdiContainerEdits {
  const nodes: CdiDeviceNode[] = [];
  const gids: number[] = [];
  for (const p of paths) {
    const found = findCharDevice(devRoot, p);
    if (!found) continue;
    nodes.push(found.node);
    if (found.additionalGid !== undefined && !gids.includes(found.additionalGid)) gids.push(found.additionalGid);
  }
  const edits: CdiContainerEdits = {};
  if (nodes.length > 0) edits.deviceNodes = nodes;
  if (gids.length > 0) edits.additionalGids = gids.sort((a, b) => a - b);
  return edits;
}

/** The per-device entries; throws when a device has no device node at all (NVIDIA writes no spec then either). */
function deviceEntries(inventory: DeviceInventory, opts: CdiSpecOptions): CdiDevice[] {
  const devices: CdiDevice[] = [];
  const add = (name: string, uuid: string, paths: string[]): void => {
    const containerEdits = nodesEdits(paths, opts.devRoot);
    if (!containerEdits.deviceNodes) {
      throw new EmptyCdiDeviceError(
        `no device node of ${uuid} (${paths.join(', ')}) is a character device under the dev root ${opts.devRoot.read}; ` +
          'the CDI spec would give containers nothing for it. Mount the host /dev at the driver root ' +
          '(or set nvidiaDevRoot) so the plugin can see the NVIDIA device nodes.',
      );
    }
    devices.push({ name, containerEdits });
  };
  const byIndex = opts.deviceIdStrategy === 'index';
  for (const gpu of inventory.gpus) {
    if (gpu.migEnabled) continue;
    add(byIndex ? String(gpu.index) : gpu.uuid, gpu.uuid, [`/dev/nvidia${gpu.minor}`]);
  }
  for (const gpu of inventory.gpus) {
    for (const mig of gpu.migDevices) {
      const paths = [`/dev/nvidia${gpu.minor}`];
      if (mig.gpuInstanceCapMinor !== undefined) paths.push(`/dev/nvidia-caps/nvidia-cap${mig.gpuInstanceCapMinor}`);
      if (mig.computeInstanceCapMinor !== undefined)
        paths.push(`/dev/nvidia-caps/nvidia-cap${mig.computeInstanceCapMinor}`);
      add(byIndex ? mig.index : mig.uuid, mig.uuid, paths);
    }
  }
  return devices;
}

/** The edits every container with one of these devices gets. */
function commonEdits(inventory: DeviceInventory, opts: CdiSpecOptions): CdiContainerEdits {
  const version = inventory.driverVersion;
  const hook = hookFactory(opts);
  const control = nodesEdits(CONTROL_NODES, opts.devRoot);
  const libraries = findDriverLibraries(opts.driverRoot, version);
  const cudaDir = libcudaDir(libraries, version);
  if (cudaDir === undefined) {
    throw new CdiSpecError(
      `libcuda.so.${version} (the CUDA driver library of driver ${version}) is in none of the library directories ` +
        `under the driver root ${opts.driverRoot.read}; the CDI spec needs it. Mount the driver installation ` +
        '(the host root, or /run/nvidia/driver under the GPU Operator) at the container driver root.',
    );
  }
  const links = librarySymlinks(opts.driverRoot, libraries);
  const folders: string[] = [];
  for (const lib of libraries) {
    const dir = path.dirname(lib.containerPath);
    if (!folders.includes(dir)) folders.push(dir);
  }
  const hooks = [
    links.length > 0
      ? hook(
          'create-symlinks',
          links.flatMap((l) => ['--link', l]),
        )
      : undefined,
    hook('enable-cuda-compat', [`--host-driver-version=${version}`]),
    folders.length > 0
      ? hook(
          'update-ldcache',
          folders.flatMap((f) => ['--folder', f]),
        )
      : undefined,
    hook('disable-device-node-modification'),
    hook('update-application-profile'),
  ].filter((h): h is CdiHook => h !== undefined);
  const mounts = [
    ...libraries,
    ...findIpc(opts.driverRoot),
    ...findFirmware(opts.driverRoot, version, opts.sysRoot),
    ...findBinaries(opts.driverRoot),
  ];
  const edits: CdiContainerEdits = { env: [`NVIDIA_CTK_LIBCUDA_DIR=${cudaDir}`, 'NVIDIA_VISIBLE_DEVICES=void'] };
  if (control.deviceNodes) edits.deviceNodes = control.deviceNodes;
  if (hooks.length > 0) edits.hooks = hooks;
  if (mounts.length > 0) edits.mounts = mounts;
  if (control.additionalGids) edits.additionalGids = control.additionalGids;
  return edits;
}

const depth = (p: string): number => path.normalize(p).split('/').length;
const byDepthThenPath = (a: string, b: string): number => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);

/** The toolkit's sorter transform: device nodes and mounts by depth then path, devices by name. */
function sorted(edits: CdiContainerEdits): CdiContainerEdits {
  if (edits.deviceNodes) edits.deviceNodes.sort((a, b) => byDepthThenPath(a.path, b.path));
  if (edits.mounts) edits.mounts.sort((a, b) => byDepthThenPath(a.containerPath, b.containerPath));
  return edits;
}

/** Builds the spec; throws CdiSpecError with what is missing on the node. */
export function buildCdiSpec(inventory: DeviceInventory, opts: CdiSpecOptions): CdiSpec {
  const devices = deviceEntries(inventory, opts).map((d) => ({ ...d, containerEdits: sorted(d.containerEdits) }));
  devices.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    cdiVersion: CDI_VERSION,
    kind: CDI_KIND,
    devices,
    containerEdits: sorted(commonEdits(inventory, opts)),
  };
}
