/**
 * What the plugin reads from the host outside NVML, as NVIDIA's plugin does: a GPU's NUMA
 * node from sysfs, the MIG capability device minors from procfs, and where the driver
 * installed libnvidia-ml. Roots are parameters so tests can point them at a temporary tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * sysfs names a PCI device `0000:07:00.0` (4-digit lowercase domain) where NVML prints
 * `00000000:07:00.0`.
 */
export function sysfsPciName(nvmlBusId: string): string {
  const id = nvmlBusId.trim().toLowerCase();
  const [domain, ...rest] = id.split(':');
  if (rest.length === 0) return id;
  return [domain.length > 4 ? domain.slice(-4) : domain.padStart(4, '0'), ...rest].join(':');
}

/** NUMA node of a PCI device; undefined when the kernel reports none (-1) or the file is missing. */
export function readNumaNode(sysfsRoot: string, nvmlBusId: string): number | undefined {
  const file = join(sysfsRoot, 'bus', 'pci', 'devices', sysfsPciName(nvmlBusId), 'numa_node');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const node = Number.parseInt(text.trim(), 10);
  return Number.isInteger(node) && node >= 0 ? node : undefined;
}

/** Capability minors of MIG GPU and compute instances, keyed `gpu<minor>/gi<id>[/ci<id>]`. */
export type MigMinors = Map<string, number>;

/**
 * Parses `<procRoot>/driver/nvidia-caps/mig-minors` (lines like `gpu0/gi1/ci0/access 13`).
 * An empty map when the file does not exist: the minors are only needed for passDeviceSpecs.
 */
export function readMigMinors(procRoot: string): MigMinors {
  const minors: MigMinors = new Map();
  let text: string;
  try {
    text = readFileSync(join(procRoot, 'driver', 'nvidia-caps', 'mig-minors'), 'utf8');
  } catch {
    return minors;
  }
  for (const line of text.split('\n')) {
    const m = /^(gpu\d+\/gi\d+(?:\/ci\d+)?)\/access\s+(\d+)\s*$/.exec(line.trim());
    if (m) minors.set(m[1], Number(m[2]));
  }
  return minors;
}

/** Library directories of the usual distributions, searched under the driver root. */
const LIB_DIRS = [
  'usr/lib64',
  'usr/lib/x86_64-linux-gnu',
  'usr/lib/aarch64-linux-gnu',
  'lib64',
  'lib/x86_64-linux-gnu',
  'lib/aarch64-linux-gnu',
  'usr/lib',
  'lib',
];

/**
 * The path to dlopen for `library`: an absolute path as given; a bare name looked up under
 * the driver root's library directories; failing that, the bare name itself, for the dynamic
 * loader's own search (which is right when the driver root is `/`). A relative path (one with
 * a `/`) is left to dlopen, which reads it from the working directory.
 */
export function resolveNvmlLibrary(library: string, driverRoot: string): string {
  if (isAbsolute(library) || library.includes('/')) return library;
  for (const dir of LIB_DIRS) {
    const candidate = join(driverRoot, dir, library);
    if (existsSync(candidate)) return candidate;
  }
  return library;
}
