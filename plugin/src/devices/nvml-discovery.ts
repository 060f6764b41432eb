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
  /** False once NVML is shut down: a topology not read by then cannot be read any more. */
  isOpen?: () => boolean;
}

/**
 * Reads every GPU and its MIG devices at once. The GPU-to-GPU topology (every NVLink of
 * every GPU, and the PCIe level of every pair: most of discovery's NVML calls) is only
 * needed by GetPreferredAllocation, so it is read later: `readTopology()` reads it a GPU
 * at a time between other work once the plugin has registered (runtime.ts), and the first
 * read of `inventory.topology` reads whatever is left at once. Either way the answer is
 * the topology NVML reports; only when it is read changes.
 */
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
  const reader = new TopologyReader(nvml, handles, gpus, opts);
  const inventory = {
    driverVersion: nvml.driverVersion(),
    cudaDriverVersion: nvml.cudaDriverVersion(),
    gpus,
    readTopology: (signal?: AbortSignal) => reader.readInSteps(signal),
  } as DeviceInventory;
  Object.defineProperty(inventory, 'topology', { enumerable: true, get: () => reader.finish() });
  return inventory;
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
 *
 * Read in steps: one GPU's links per step, then one row of pairs per step.
 */
class TopologyReader {
  private readonly n: number;
  private readonly byBusId: Map<string, number>;
  private readonly nvlinks: number[][];
  private readonly switchLinks: number[];
  private readonly pcie: PcieLevel[][];
  private linksRead = 0;
  private rowsDone = 0;
  private result: GpuTopology | undefined;

  constructor(
    private readonly nvml: Nvml,
    private readonly handles: DeviceHandle[],
    gpus: Gpu[],
    private readonly opts: Pick<DiscoveryOptions, 'warn' | 'isOpen'>,
  ) {
    this.n = gpus.length;
    this.byBusId = new Map(gpus.map((g) => [normaliseBusId(g.pciBusId), g.index]));
    this.nvlinks = gpus.map(() => new Array<number>(this.n).fill(0));
    this.switchLinks = new Array<number>(this.n).fill(0);
    this.pcie = gpus.map(() => new Array<PcieLevel>(this.n).fill(PcieLevel.INTERNAL));
  }

  /** The whole topology, reading what is not read yet now. */
  finish(): GpuTopology {
    while (this.result === undefined) this.step();
    return this.result;
  }

  /** Reads the topology a step at a time, letting other callbacks run in between. */
  async readInSteps(signal?: AbortSignal): Promise<void> {
    while (this.result === undefined && !signal?.aborted) {
      this.step();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private step(): void {
    if (this.opts.isOpen && !this.opts.isOpen())
      throw new Error('NVML was shut down before the GPU topology was read; it cannot be read any more');
    if (this.linksRead < this.n) this.readLinks(this.linksRead++);
    else if (this.rowsDone < this.n) this.readRow(this.rowsDone++);
    if (this.linksRead === this.n && this.rowsDone === this.n) this.result = { nvlinks: this.nvlinks, pcie: this.pcie };
  }

  private readLinks(i: number): void {
    const handle = this.handles[i];
    for (let link = 0; link < NVLINK_MAX_LINKS; link++) {
      const active = this.nvml.nvlinkActive(handle, link);
      if (active === undefined) break;
      if (!active) continue;
      const remote = this.nvml.nvlinkRemoteBusId(handle, link);
      if (remote === undefined) continue;
      const j = this.byBusId.get(normaliseBusId(remote));
      if (j === undefined) this.switchLinks[i]++;
      else if (j !== i) this.nvlinks[i][j]++;
    }
  }

  /** Row i of both matrices (pairs i, j > i); every GPU's links are read by then. */
  private readRow(i: number): void {
    const { nvlinks, switchLinks, pcie } = this;
    for (let j = i + 1; j < this.n; j++) {
      const links = Math.max(nvlinks[i][j], nvlinks[j][i]) + Math.min(switchLinks[i], switchLinks[j]);
      nvlinks[i][j] = nvlinks[j][i] = links;
      pcie[i][j] = pcie[j][i] = readPcieLevel(this.nvml, this.handles[i], this.handles[j], [i, j], this.opts.warn);
    }
  }
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
