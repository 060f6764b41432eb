/**
 * GPU Feature Discovery labels computed from what the plugin already read through NVML,
 * with the names and values of NVIDIA's gpu-feature-discovery v0.20.0 (internal/lm), so
 * node selectors written for NVIDIA's GFD (`nvidia.com/gpu.product`, `nvidia.com/gpu.memory`,
 * …) select the same nodes. Checked against NVIDIA's own binary by
 * test/plugin/gfd/nvidia-gfd.test.ts; what differs is listed in docs/gpu-feature-discovery.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginConfig, ReplicatedResources } from '../config/types.js';
import { sysfsPciName } from '../devices/host-files.js';
import type { DeviceInventory, Gpu, MigDevice } from '../devices/types.js';

export type Labels = Record<string, string>;

export interface LabelSources {
  /** DMI product name file (GFD's --machine-type-file); '' = "unknown". */
  machineTypeFile: string;
  /** sysfs root for PCI classes and vGPU capabilities; default /sys. */
  sysfsRoot?: string;
  /** Unix seconds for nvidia.com/gfd.timestamp; undefined = no timestamp label. */
  timestamp?: number;
  /** NVLink fabric clique (`<cluster UUID>.<clique ID>`), when the GPUs are fabric-attached. */
  clique?: string;
}

/** GFD's sanitise: drop all but [A-Za-z0-9-_. ], then join the words with '-'. */
export function sanitise(input: string): string {
  return input
    .replace(/[^A-Za-z0-9\-_. ]/g, '')
    .split(/\s+/)
    .filter((w) => w !== '')
    .join('-');
}

/** GFD's getArchFamily. */
export function archFamily(major: number, minor: number): string {
  switch (major) {
    case 1:
      return 'tesla';
    case 2:
      return 'fermi';
    case 3:
      return 'kepler';
    case 5:
      return 'maxwell';
    case 6:
      return 'pascal';
    case 7:
      return minor < 5 ? 'volta' : 'turing';
    case 8:
      return minor < 9 ? 'ampere' : 'ada-lovelace';
    case 9:
      return 'hopper';
    case 10:
    case 12:
      return 'blackwell';
    case 13:
      return 'rubin';
    default:
      return 'undefined';
  }
}

function machineType(file: string): string {
  if (file === '') return 'unknown';
  try {
    return sanitise(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return 'unknown';
  }
}

function versionLabels(inventory: DeviceInventory): Labels {
  const parts = inventory.driverVersion.split('.');
  if (parts.length < 2 || parts.length > 3) {
    throw new Error(
      `driver version "${inventory.driverVersion}" from NVML does not match X.Y[.Z]; no GFD labels can be written`,
    );
  }
  const [major, minor, rev = ''] = parts;
  const cudaMajor = Math.floor(inventory.cudaDriverVersion / 1000);
  const cudaMinor = Math.floor((inventory.cudaDriverVersion % 1000) / 10);
  return {
    'nvidia.com/cuda.driver.major': major,
    'nvidia.com/cuda.driver.minor': minor,
    'nvidia.com/cuda.driver.rev': rev,
    'nvidia.com/cuda.runtime.major': String(cudaMajor),
    'nvidia.com/cuda.runtime.minor': String(cudaMinor),
    'nvidia.com/cuda.driver-version.major': major,
    'nvidia.com/cuda.driver-version.minor': minor,
    'nvidia.com/cuda.driver-version.revision': rev,
    'nvidia.com/cuda.driver-version.full': inventory.driverVersion,
    'nvidia.com/cuda.runtime-version.major': String(cudaMajor),
    'nvidia.com/cuda.runtime-version.minor': String(cudaMinor),
    'nvidia.com/cuda.runtime-version.full': `${cudaMajor}.${cudaMinor}`,
  };
}

/** The sharing section NVIDIA's ReplicatedResources() returns: MPS when set, else time-slicing. */
function replicated(config: PluginConfig): ReplicatedResources | undefined {
  return config.sharing.mps ?? config.sharing.timeSlicing;
}

function sharingStrategy(config: PluginConfig): string {
  const isReplicated = (r: ReplicatedResources | undefined): boolean =>
    r?.resources.some((x) => x.replicas > 1) ?? false;
  if (isReplicated(config.sharing.mps)) return 'mps';
  if (isReplicated(config.sharing.timeSlicing)) return 'time-slicing';
  return 'none';
}

/** GFD's resourceLabeler: `<resource>.<suffix>` labels; `config` undefined = sharing not considered. */
function resourceLabels(
  resource: string,
  config: PluginConfig | undefined,
  count: number,
  parts: string[],
  extra: Record<string, string | number>,
): Labels {
  const sharing = config ? replicated(config) : undefined;
  const info = sharing?.resources.find((r) => r.name === resource);
  const replicas = config === undefined ? 0 : info && info.replicas > 0 ? info.replicas : 1;
  const shared = info !== undefined && info.replicas > 1;
  // NVIDIA renames only with renameByDefault (it drops a per-resource rename); ours also honours
  // `rename`, and a renamed resource is not "-SHARED" in either.
  const renamed = sharing?.renameByDefault === true || (info?.rename !== undefined && info.rename !== '');
  const product = parts.filter((p) => p !== '').map(sanitise);
  if (shared && !renamed) product.push('SHARED');
  const labels: Labels = {
    [`${resource}.product`]: product.join('-'),
    [`${resource}.count`]: String(count),
    [`${resource}.replicas`]: String(replicas),
    [`${resource}.sharing-strategy`]: config !== undefined && replicas > 1 ? sharingStrategy(config) : 'none',
  };
  for (const [k, v] of Object.entries(extra)) labels[`${resource}.${k}`] = String(v);
  return labels;
}

function gpuLabels(gpu: Gpu, count: number, config: PluginConfig | undefined): Labels {
  const extra: Record<string, string | number> = {};
  if (gpu.memoryMiB !== 0) extra.memory = gpu.memoryMiB;
  const { major, minor } = gpu.computeCapability;
  if (major !== 0) {
    extra.family = archFamily(major, minor);
    extra['compute.major'] = major;
    extra['compute.minor'] = minor;
  }
  return resourceLabels('nvidia.com/gpu', config, count, [gpu.name], extra);
}

/** Full-GPU labels: one set per product name (the last GPU of a name wins, as GFD's map merge). */
function fullGpuLabels(inventory: DeviceInventory, config: PluginConfig): Labels {
  const counts = new Map<string, number>();
  for (const gpu of inventory.gpus) counts.set(gpu.name, (counts.get(gpu.name) ?? 0) + 1);
  const labels: Labels = {};
  const migEnabled = new Map(inventory.gpus.filter((g) => g.migEnabled).map((g) => [g.name, g]));
  const full = new Map(inventory.gpus.filter((g) => !g.migEnabled).map((g) => [g.name, g]));
  for (const [name, gpu] of migEnabled) Object.assign(labels, gpuLabels(gpu, counts.get(name)!, undefined));
  for (const [name, gpu] of full) Object.assign(labels, gpuLabels(gpu, counts.get(name)!, config));
  return labels;
}

/** GFD's newMigAttributeLabels: NVML's attributes of the MIG device, or just its memory when unread. */
function migLabels(resource: string, config: PluginConfig, parent: Gpu, mig: MigDevice, count: number): Labels {
  const a = mig.attributes;
  const attributes: Record<string, number> = a
    ? {
        memory: a.memorySizeMB,
        multiprocessors: a.multiprocessorCount,
        'slices.gi': a.gpuInstanceSliceCount,
        'slices.ci': a.computeInstanceSliceCount,
        'engines.copy': a.sharedCopyEngineCount,
        'engines.decoder': a.sharedDecoderCount,
        'engines.encoder': a.sharedEncoderCount,
        'engines.jpeg': a.sharedJpegCount,
        'engines.ofa': a.sharedOfaCount,
      }
    : { memory: mig.memoryMiB };
  return resourceLabels(resource, config, count, [parent.name, 'MIG', mig.profile], attributes);
}

function migGroups(inventory: DeviceInventory): Map<string, { parent: Gpu; mig: MigDevice; count: number }> {
  const groups = new Map<string, { parent: Gpu; mig: MigDevice; count: number }>();
  for (const gpu of inventory.gpus) {
    for (const mig of gpu.migDevices) {
      const group = groups.get(mig.profile);
      if (group) group.count++;
      else groups.set(mig.profile, { parent: gpu, mig, count: 1 });
    }
  }
  return groups;
}

function migStrategyLabels(inventory: DeviceInventory, config: PluginConfig): Labels {
  const strategy = config.flags.migStrategy;
  if (strategy === 'none') return {};
  const labels: Labels = { 'nvidia.com/mig.strategy': strategy };
  const groups = migGroups(inventory);
  if (strategy === 'mixed') {
    for (const [profile, g] of groups)
      Object.assign(labels, migLabels(`nvidia.com/mig-${profile}`, config, g.parent, g.mig, g.count));
    return labels;
  }
  const enabled = inventory.gpus.filter((g) => g.migEnabled);
  if (enabled.length === 0) return labels;
  const invalid = (): Labels => ({
    ...labels,
    'nvidia.com/gpu.product': [sanitise(enabled[0].name), 'MIG', 'INVALID'].join('-'),
    'nvidia.com/gpu.count': '0',
    'nvidia.com/gpu.replicas': '0',
    'nvidia.com/gpu.sharing-strategy': '',
    'nvidia.com/gpu.memory': '0',
  });
  if (enabled.some((g) => g.migDevices.length === 0)) return invalid();
  if (inventory.gpus.some((g) => !g.migEnabled)) return invalid();
  if (groups.size !== 1) return invalid();
  const [g] = [...groups.values()];
  return { ...labels, ...migLabels('nvidia.com/gpu', config, g.parent, g.mig, g.count) };
}

/** PCI class of each GPU: all 0x030000 = graphics, all 0x030200 = compute, else unknown. */
function gpuMode(inventory: DeviceInventory, sysfsRoot: string): string {
  const classes = new Set<number>();
  for (const gpu of inventory.gpus) {
    try {
      const text = fs.readFileSync(
        path.join(sysfsRoot, 'bus', 'pci', 'devices', sysfsPciName(gpu.pciBusId), 'class'),
        'utf8',
      );
      classes.add(Number.parseInt(text.trim(), 16));
    } catch {
      return 'unknown';
    }
  }
  if (classes.size !== 1) return 'unknown';
  const [cls] = [...classes];
  return cls === 0x030000 ? 'graphics' : cls === 0x030200 ? 'compute' : 'unknown';
}

/**
 * Whether an NVIDIA PCI function carries the vGPU signature ("VF" in its vendor-specific
 * capability), as GFD's vgpu library reads it; undefined when the PCI bus cannot be read
 * (GFD then writes no vgpu label either).
 */
function vgpuPresent(sysfsRoot: string): boolean | undefined {
  const root = path.join(sysfsRoot, 'bus', 'pci', 'devices');
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    try {
      if (fs.readFileSync(path.join(root, entry, 'vendor'), 'utf8').trim() !== '0x10de') continue;
      const config = fs.readFileSync(path.join(root, entry, 'config'));
      // Unprivileged reads get only the first 64 bytes: GFD gives up (no label) then too.
      if (config.length < 256) return undefined;
      if ((config[0x06] & 0x10) === 0) continue;
      const visited = new Set<number>();
      for (let pos = config[0x34]; pos !== 0 && !visited.has(pos); pos = config[pos + 1]) {
        visited.add(pos);
        const id = config[pos];
        if (id === 0xff) break;
        if (id === 0x09) {
          if (config[pos + 2] >= 5 && config[pos + 3] === 0x56 && config[pos + 4] === 0x46) return true;
          break;
        }
      }
    } catch {
      return undefined;
    }
  }
  return false;
}

/** Every label NVIDIA's GFD writes for this node, or {} when there are no GPUs (GFD writes none either). */
export function gfdLabels(inventory: DeviceInventory, config: PluginConfig, sources: LabelSources): Labels {
  const labels: Labels = {};
  const sysfsRoot = sources.sysfsRoot ?? '/sys';
  if (inventory.gpus.length > 0) {
    labels['nvidia.com/gpu.machine'] = machineType(sources.machineTypeFile);
    Object.assign(labels, versionLabels(inventory));
    labels['nvidia.com/mig.capable'] = String(inventory.gpus.some((g) => g.migCapable));
    if (sharingStrategy(config) === 'mps') {
      if (inventory.gpus.some((g) => g.migEnabled)) {
        throw new Error(
          'MPS sharing is configured but a GPU has MIG enabled; MPS is not supported on MIG devices, so no GFD labels are written',
        );
      }
      labels['nvidia.com/mps.capable'] = 'true';
    } else {
      labels['nvidia.com/mps.capable'] = 'false';
    }
    Object.assign(labels, fullGpuLabels(inventory, config), migStrategyLabels(inventory, config));
    labels['nvidia.com/gpu.mode'] = gpuMode(inventory, sysfsRoot);
    if (sources.clique !== undefined) labels['nvidia.com/gpu.clique'] = sources.clique;
  }
  const vgpu = vgpuPresent(sysfsRoot);
  if (vgpu !== undefined) labels['nvidia.com/vgpu.present'] = String(vgpu);
  if (sources.timestamp !== undefined) labels['nvidia.com/gfd.timestamp'] = String(sources.timestamp);
  return labels;
}

/** The NFD local feature file: `key=value` lines, sorted. */
export function featureFile(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}\n`)
    .join('');
}
