/**
 * Reads every GPU, its MIG devices and the GPU-to-GPU topology through NVML, once. The
 * result is plain data (types.ts); no NVML handle leaves this file.
 */
import { readMigMinors, readNumaNode, type MigMinors } from './host-files.js';
import { formatMigProfile, migProfileFromAttributes } from './mig-profile.js';
import { NVLINK_MAX_LINKS, type DeviceHandle, type Nvml } from './nvml.js';
import { PcieLevel, type DeviceInventory, type Gpu, type GpuTopology, type MigDevice } from './types.js';

export interface DiscoveryOptions {
  sysfsRoot: string;
  procRoot: string;
  warn: (o: object, m: string) => void;
}

export function discoverInventory(nvml: Nvml, opts: DiscoveryOptions): DeviceInventory {
  const count = nvml.deviceCount();
  const migMinors = readMigMinors(opts.procRoot);
  const handles: DeviceHandle[] = [];
  const gpus: Gpu[] = [];
  for (let index = 0; index < count; index++) {
    const handle = nvml.handleByIndex(index);
    handles.push(handle);
    gpus.push(readGpu(nvml, handle, index, migMinors, opts.sysfsRoot));
  }
  return {
    driverVersion: nvml.driverVersion(),
    cudaDriverVersion: nvml.cudaDriverVersion(),
    gpus,
    topology: readTopology(nvml, handles, gpus, opts.warn),
  };
}

function readGpu(nvml: Nvml, handle: DeviceHandle, index: number, migMinors: MigMinors, sysfsRoot: string): Gpu {
  const pciBusId = nvml.pciInfo(handle).busId;
  const memoryBytes = nvml.memoryTotal(handle);
  const minor = nvml.minorNumber(handle);
  const uuid = nvml.uuid(handle);
  const mig = nvml.migMode(handle);
  const migEnabled = mig?.current === true;
  return {
    index,
    uuid,
    name: nvml.name(handle),
    memoryMiB: Math.floor(memoryBytes / (1024 * 1024)),
    minor,
    pciBusId,
    numaNode: readNumaNode(sysfsRoot, pciBusId),
    computeCapability: nvml.computeCapability(handle),
    migCapable: mig !== undefined,
    migEnabled,
    migDevices: migEnabled ? readMigDevices(nvml, handle, { index, minor, memoryBytes }, migMinors) : [],
  };
}

/** NVML MIG slots can be sparse: an empty slot answers NOT_FOUND and is skipped. */
function readMigDevices(
  nvml: Nvml,
  parent: DeviceHandle,
  gpu: { index: number; minor: number; memoryBytes: number },
  migMinors: MigMinors,
): MigDevice[] {
  const devices: MigDevice[] = [];
  const slots = nvml.maxMigDeviceCount(parent);
  for (let migIndex = 0; migIndex < slots; migIndex++) {
    const handle = nvml.migDeviceHandle(parent, migIndex);
    if (handle === undefined) continue;
    const attrs = nvml.attributes(handle);
    const gpuInstanceId = nvml.gpuInstanceId(handle);
    const computeInstanceId = nvml.computeInstanceId(handle);
    const giKey = `gpu${gpu.minor}/gi${gpuInstanceId}`;
    devices.push({
      uuid: nvml.uuid(handle),
      parentIndex: gpu.index,
      migIndex,
      index: `${gpu.index}:${migIndex}`,
      gpuInstanceId,
      computeInstanceId,
      profile: formatMigProfile(migProfileFromAttributes(attrs, gpu.memoryBytes)),
      memoryMiB: attrs.memorySizeMB,
      gpuInstanceCapMinor: migMinors.get(giKey),
      computeInstanceCapMinor: migMinors.get(`${giKey}/ci${computeInstanceId}`),
      attributes: { ...attrs },
    });
  }
  return devices;
}

const normaliseBusId = (busId: string): string =>
  busId
    .trim()
    .toLowerCase()
    .replace(/^0{4}(?=[0-9a-f]{4}:)/, '');

const PCIE_LEVELS = new Set<number>(Object.values(PcieLevel).filter((v): v is number => typeof v === 'number'));

/**
 * NVLink counts come from each GPU's active links and the PCI bus id at their far end, as
 * NVIDIA's go-gpuallocator counts them. Where that end is not a GPU it is an NVSwitch; NVIDIA
 * leaves those at 0 links ("TODO: Handle NVSwitch semantics"), we count two GPUs on the
 * switch fabric as linked by the smaller of their switch link counts.
 */
function readTopology(nvml: Nvml, handles: DeviceHandle[], gpus: Gpu[], warn: DiscoveryOptions['warn']): GpuTopology {
  const n = gpus.length;
  const byBusId = new Map(gpus.map((g) => [normaliseBusId(g.pciBusId), g.index]));
  const nvlinks = gpus.map(() => new Array<number>(n).fill(0));
  const switchLinks = new Array<number>(n).fill(0);
  handles.forEach((handle, i) => {
    for (let link = 0; link < NVLINK_MAX_LINKS; link++) {
      const active = nvml.nvlinkActive(handle, link);
      if (active === undefined) break;
      if (!active) continue;
      const remote = nvml.nvlinkRemoteBusId(handle, link);
      if (remote === undefined) continue;
      const j = byBusId.get(normaliseBusId(remote));
      if (j === undefined) switchLinks[i]++;
      else if (j !== i) nvlinks[i][j]++;
    }
  });
  const pcie = gpus.map(() => new Array<PcieLevel>(n).fill(PcieLevel.INTERNAL));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const links = Math.max(nvlinks[i][j], nvlinks[j][i]) + Math.min(switchLinks[i], switchLinks[j]);
      nvlinks[i][j] = nvlinks[j][i] = links;
      pcie[i][j] = pcie[j][i] = readPcieLevel(nvml, handles[i], handles[j], [i, j], warn);
    }
  }
  return { nvlinks, pcie };
}

function readPcieLevel(
  nvml: Nvml,
  a: DeviceHandle,
  b: DeviceHandle,
  pair: [number, number],
  warn: DiscoveryOptions['warn'],
): PcieLevel {
  try {
    const level = nvml.commonAncestor(a, b);
    if (PCIE_LEVELS.has(level)) return level as PcieLevel;
    warn({ gpus: pair, level }, 'unknown PCIe topology level; treating the GPUs as on different CPU sockets');
  } catch (err) {
    warn(
      { gpus: pair, err: (err as Error).message },
      'cannot read the PCIe topology; treating the GPUs as on different CPU sockets',
    );
  }
  return PcieLevel.SYSTEM;
}
