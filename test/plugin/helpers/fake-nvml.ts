/**
 * Test helpers around the fake libnvidia-ml.so.1 (test/fixtures/fake-nvml): build it,
 * describe a node in TypeScript, write the library's topology file and inject XIDs while a
 * process uses it. The file format is documented in test/fixtures/fake-nvml/README.md.
 */
import { execFileSync } from 'node:child_process';
import koffi from 'koffi';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface FakeMigSpec {
  uuid: string;
  /** NVML MIG device index under the parent (default: position in the list). */
  slot?: number;
  gpuInstanceId: number;
  computeInstanceId: number;
  gpuInstanceSlices: number;
  computeInstanceSlices: number;
  memoryMiB: number;
  multiprocessors?: number;
  copyEngines?: number;
  decoders?: number;
  encoders?: number;
  jpegs?: number;
  /** Optical-flow engines: what tells a `+me` (media extensions) profile apart. */
  ofas?: number;
}

export interface FakeGpuSpec {
  uuid: string;
  name: string;
  memoryMiB: number;
  /** Default: the GPU's position. */
  minor?: number;
  /** As NVML prints it: `00000000:07:00.0`. */
  pciBusId: string;
  /** Written to the fake sysfs tree; omitted = the kernel reports -1. */
  numaNode?: number;
  computeCapability: { major: number; minor: number };
  migCapable?: boolean;
  migEnabled?: boolean;
  maxMigDevices?: number;
  migDevices?: FakeMigSpec[];
}

export interface FakeNvmlSpec {
  /** nvmlInit's return code (9 = NVML_ERROR_DRIVER_NOT_LOADED); default 0. */
  initResult?: number;
  driverVersion?: string;
  cudaDriverVersion?: number;
  gpus: FakeGpuSpec[];
  /** Symmetric link counts between GPUs; missing = no NVLink. */
  nvlinks?: number[][];
  /** Links from each GPU to an NVSwitch (a remote that is not a GPU). */
  nvswitchLinks?: number[];
  /** Symmetric nvmlGpuTopologyLevel_t values (0, 10, …, 50); missing pairs read as 50. */
  pcie?: number[][];
}

export interface FakeNvmlFiles {
  /** Value for FAKE_NVML_CONFIG. */
  configPath: string;
  /** Append XID lines here (see injectXid). */
  eventsPath: string;
  /** A sysfs root holding bus/pci/devices/<bdf>/numa_node for each GPU. */
  sysfsRoot: string;
}

const repoRoot = resolve(__dirname, '..', '..', '..');
let builtPath: string | undefined;

/** Builds the fake library once per process (build.sh is itself a no-op when up to date). */
export function buildFakeNvml(): string {
  if (builtPath === undefined) {
    const script = join(repoRoot, 'test', 'fixtures', 'fake-nvml', 'build.sh');
    builtPath = execFileSync('bash', [script], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  }
  return builtPath;
}

/** DGX-1 (Volta) hybrid cube mesh: each GPU has 6 NVLinks to 4 peers. */
const DGX1_NVLINKS: number[][] = [
  [0, 1, 1, 2, 2, 0, 0, 0],
  [1, 0, 2, 1, 0, 2, 0, 0],
  [1, 2, 0, 2, 0, 0, 1, 0],
  [2, 1, 2, 0, 0, 0, 0, 1],
  [2, 0, 0, 0, 0, 1, 1, 2],
  [0, 2, 0, 0, 1, 0, 2, 1],
  [0, 0, 1, 0, 1, 2, 0, 2],
  [0, 0, 0, 1, 2, 1, 2, 0],
];

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A UUID-shaped `GPU-…` id that is stable for a given number. */
export function gpuUuid(n: number): string {
  return `GPU-${hex(0x1b2c3d40 + n, 8)}-5e6f-4a7b-8c9d-${hex(0xe0f1a2b3c4d5 + n, 12)}`;
}

/** A UUID-shaped `MIG-…` id that is stable for a (gpu, slot) pair. */
export function migUuid(gpu: number, slot: number): string {
  return `MIG-${hex(0x6a7b8c00 + gpu * 16 + slot, 8)}-1d2e-4f30-9a1b-${hex(0x2c3d4e5f6070 + gpu * 16 + slot, 12)}`;
}

/**
 * `gpuCount` A100-SXM4-80GB GPUs (MIG capable, MIG off). Eight GPUs form a DGX-1-style hybrid
 * cube mesh with two CPU sockets; other counts have no NVLink and split evenly over two sockets.
 */
export function defaultSpec(gpuCount = 8): FakeNvmlSpec {
  const half = Math.max(1, Math.ceil(gpuCount / 2));
  const socket = (i: number): number => (i < half ? 0 : 1);
  const gpus: FakeGpuSpec[] = Array.from({ length: gpuCount }, (_, i) => ({
    uuid: gpuUuid(i),
    name: 'NVIDIA A100-SXM4-80GB',
    memoryMiB: 81920,
    minor: i,
    pciBusId: `00000000:${hex(socket(i) === 0 ? 0x07 + i * 4 : 0x87 + (i - half) * 4, 2).toUpperCase()}:00.0`,
    numaNode: socket(i),
    computeCapability: { major: 8, minor: 0 },
    migCapable: true,
    migEnabled: false,
  }));
  // Pairs (0,1), (2,3), … share a PCIe switch; the rest of a socket is the same NUMA node.
  const pcie = gpus.map((_, i) =>
    gpus.map((__, j) => {
      if (i === j) return 0;
      if (socket(i) !== socket(j)) return 50;
      return Math.floor(i / 2) === Math.floor(j / 2) ? 10 : 40;
    }),
  );
  return {
    driverVersion: '550.54.15',
    cudaDriverVersion: 12040,
    gpus,
    nvlinks: gpuCount === 8 ? DGX1_NVLINKS.map((row) => [...row]) : undefined,
    pcie,
  };
}

/**
 * Two A100-SXM4-80GB GPUs with MIG enabled: GPU 0 as 3g.40gb + 2g.20gb + 1g.10gb + 1g.10gb,
 * GPU 1 as one 7g.80gb. Memory and engine counts are the ones an A100 80GB reports.
 */
export function a100MigSpec(): FakeNvmlSpec {
  const spec = defaultSpec(2);
  const mig = (
    gpu: number,
    slot: number,
    gi: number,
    slices: number,
    memoryMiB: number,
    extra: Partial<FakeMigSpec> = {},
  ): FakeMigSpec => ({
    uuid: migUuid(gpu, slot),
    slot,
    gpuInstanceId: gi,
    computeInstanceId: 0,
    gpuInstanceSlices: slices,
    computeInstanceSlices: slices,
    memoryMiB,
    multiprocessors: slices * 14,
    copyEngines: slices,
    decoders: Math.floor(slices / 2),
    ...extra,
  });
  spec.gpus[0] = {
    ...spec.gpus[0],
    migEnabled: true,
    migDevices: [mig(0, 0, 2, 3, 40192), mig(0, 1, 3, 2, 19968), mig(0, 2, 9, 1, 9856), mig(0, 3, 10, 1, 9856)],
  };
  spec.gpus[1] = {
    ...spec.gpus[1],
    migEnabled: true,
    migDevices: [mig(1, 0, 0, 7, 80896, { multiprocessors: 98, decoders: 5, jpegs: 1, ofas: 1 })],
  };
  return spec;
}

/** Writes the topology file, an empty events file and a fake sysfs tree under `dir`. */
export function writeFakeNvmlConfig(dir: string, spec: FakeNvmlSpec): FakeNvmlFiles {
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'fake-nvml.conf');
  const eventsPath = join(dir, 'fake-nvml.events');
  const sysfsRoot = join(dir, 'sys');
  const line = (kind: string, fields: Record<string, string | number | undefined>): string =>
    [
      kind,
      ...Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`),
    ].join('\t');

  const lines: string[] = ['# written by test/plugin/helpers/fake-nvml.ts'];
  if (spec.initResult !== undefined) lines.push(line('init', { result: spec.initResult }));
  lines.push(line('system', { driver: spec.driverVersion ?? '550.54.15', cuda: spec.cudaDriverVersion ?? 12040 }));
  lines.push(line('events', { path: eventsPath }));
  spec.gpus.forEach((g, i) => {
    lines.push(
      line('gpu', {
        uuid: g.uuid,
        name: g.name,
        memory_mib: g.memoryMiB,
        minor: g.minor ?? i,
        pci: g.pciBusId,
        cc: `${g.computeCapability.major}.${g.computeCapability.minor}`,
        mig_capable: g.migCapable ? 1 : 0,
        mig_enabled: g.migEnabled ? 1 : 0,
        max_mig: g.maxMigDevices,
      }),
    );
    (g.migDevices ?? []).forEach((m, slot) => {
      lines.push(
        line('mig', {
          gpu: i,
          slot: m.slot ?? slot,
          uuid: m.uuid,
          gi: m.gpuInstanceId,
          ci: m.computeInstanceId,
          gi_slices: m.gpuInstanceSlices,
          ci_slices: m.computeInstanceSlices,
          memory_mib: m.memoryMiB,
          sm: m.multiprocessors,
          ce: m.copyEngines,
          dec: m.decoders,
          enc: m.encoders,
          jpeg: m.jpegs,
          ofa: m.ofas,
        }),
      );
    });
    writeNumaNode(sysfsRoot, g.pciBusId, g.numaNode);
  });
  spec.gpus.forEach((_, a) => {
    for (let b = a + 1; b < spec.gpus.length; b++) {
      const links = spec.nvlinks?.[a]?.[b] ?? 0;
      if (links > 0) lines.push(line('nvlink', { a, b, links }));
      const level = spec.pcie?.[a]?.[b];
      if (level !== undefined) lines.push(line('pcie', { a, b, level }));
    }
    const switchLinks = spec.nvswitchLinks?.[a] ?? 0;
    if (switchLinks > 0) lines.push(line('nvlink', { a, remote: '00000000:C0:00.0', links: switchLinks }));
  });

  writeFileSync(configPath, lines.join('\n') + '\n');
  writeFileSync(eventsPath, '');
  return { configPath, eventsPath, sysfsRoot };
}

/** sysfs names PCI devices with a 4-digit lowercase domain: 0000:07:00.0. */
function writeNumaNode(sysfsRoot: string, pciBusId: string, numaNode: number | undefined): void {
  const bdf = pciBusId.toLowerCase().replace(/^[0-9a-f]{4}([0-9a-f]{4}:)/, '$1');
  const devDir = join(sysfsRoot, 'bus', 'pci', 'devices', bdf);
  mkdirSync(devDir, { recursive: true });
  writeFileSync(join(devDir, 'numa_node'), `${numaNode ?? -1}\n`);
}

/**
 * Appends one event line; a running fake library reports it within a few milliseconds.
 * `uuid` may be a GPU or MIG UUID, or `*` for an event NVML cannot attribute to a device.
 * `eventType` defaults to nvmlEventTypeXidCriticalError (8).
 */
export function injectXid(eventsPath: string, uuid: string, xid: number, eventType?: number): void {
  appendFileSync(eventsPath, `${uuid}\t${xid}${eventType === undefined ? '' : `\t${eventType}`}\n`);
}

let setConfig: ((path: string) => void) | undefined;

/**
 * For in-process tests: builds the library, writes `spec` to a fresh temporary directory and
 * points the loaded library at it (jest's process.env is a copy the C library never sees, so
 * this goes through the fake's own fake_nvml_set_config). The library reads the file at its
 * next first nvmlInit, so every NVML user in the process must have shut down before.
 */
export function useFakeNvml(spec: FakeNvmlSpec): FakeNvmlFiles & { libraryPath: string; dir: string } {
  const libraryPath = buildFakeNvml();
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvml-'));
  const files = writeFakeNvmlConfig(dir, spec);
  setConfig ??= koffi.load(libraryPath).func('void fake_nvml_set_config(const char *path)') as (path: string) => void;
  setConfig(files.configPath);
  return { ...files, libraryPath, dir };
}
