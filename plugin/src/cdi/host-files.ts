/**
 * What a CDI spec for the NVIDIA driver names on the host, found the way NVIDIA's generator
 * (nvidia-container-toolkit v1.20 pkg/nvcdi, vendored by k8s-device-plugin v0.20.0) finds it:
 * character devices under the dev root, the driver's version-suffixed libraries, GSP
 * firmware, utility binaries and IPC sockets under the driver root. Every path is read under
 * a root the plugin can see (`readRoot`) and written into the spec under the root the
 * container runtime sees on the host (`targetRoot`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSoname } from './elf.js';

/** A CDI device node (specs-go DeviceNode), fields in the order the CDI library writes them. */
export interface CdiDeviceNode {
  path: string;
  hostPath?: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  permissions: string;
  gid?: number;
}

export interface CdiMount {
  hostPath: string;
  containerPath: string;
  options: string[];
}

/** A root as the plugin reads it and as the spec names it. */
export interface Root {
  read: string;
  target: string;
}

/** `/dev/nvidia0` under `root.read`, or undefined when it is not there. */
export interface FoundNode {
  node: CdiDeviceNode;
  /** The node's group needs to be added to the container (it is not world read-write). */
  additionalGid?: number;
}

/** Host path as the spec names it: `p` (under root.read) moved under root.target. */
export function targetPath(root: Root, p: string): string {
  const rel = path.relative(root.read, p);
  return path.join(root.target, rel);
}

/** Linux dev_t split (glibc's gnu_dev_major/minor). */
function majorMinor(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/**
 * The character device `containerPath` (e.g. `/dev/nvidiactl`) under the dev root, with its
 * major, minor, mode and group read from the node, as the toolkit's edits do.
 */
export function findCharDevice(devRoot: Root, containerPath: string): FoundNode | undefined {
  const hostRead = path.join(devRoot.read, containerPath);
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(hostRead, { bigint: true });
  } catch {
    return undefined;
  }
  if (!st.isCharacterDevice()) return undefined;
  const { major, minor } = majorMinor(st.rdev);
  const hostPath = targetPath(devRoot, hostRead);
  const fileMode = Number(st.mode & 0o7777n);
  const gid = Number(st.gid);
  // Built in the key order the CDI library writes, so the JSON reads like NVIDIA's.
  const node = { path: containerPath } as CdiDeviceNode;
  if (hostPath !== containerPath) node.hostPath = hostPath;
  if (major !== 0) node.major = major;
  if (minor !== 0) node.minor = minor;
  if (fileMode !== 0) node.fileMode = fileMode;
  node.permissions = 'rwm';
  if (gid !== 0) node.gid = gid;
  const worldRw = (fileMode & 0o4) !== 0 && (fileMode & 0o2) !== 0;
  return { node, ...(gid !== 0 && !worldRw ? { additionalGid: gid } : {}) };
}

/** Library directories the toolkit searches when the driver root has no ld.so.cache. */
export const LIBRARY_DIRS = [
  '/usr/lib64',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu/nvidia/current',
  '/usr/lib/aarch64-linux-gnu/nvidia/current',
  '/lib64',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/lib/x86_64-linux-gnu/nvidia/current',
  '/lib/aarch64-linux-gnu/nvidia/current',
];

const READ_ONLY = ['ro', 'nosuid', 'nodev', 'rbind', 'rprivate'];
const IPC_OPTIONS = ['nosuid', 'nodev', 'rbind', 'rprivate', 'noexec'];

function isFile(p: string): boolean {
  try {
    return !fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Shell-style `*` match of a file name (no other wildcards are needed here). */
function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  );
  return re.test(name);
}

function listMatching(dir: string, pattern: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => matches(pattern, n))
    .sort()
    .map((n) => path.join(dir, n));
}

function mount(root: Root, hostRead: string, options: string[]): CdiMount {
  return {
    hostPath: targetPath(root, hostRead),
    containerPath: '/' + path.relative(root.read, hostRead),
    options: [...options],
  };
}

/** Library directories under the root, each with its `vdpau` subdirectory after it. */
function libraryDirs(root: string): string[] {
  return LIBRARY_DIRS.flatMap((d) => [path.join(root, d), path.join(root, d, 'vdpau')]);
}

/**
 * The driver's libraries: every `*.so.<version>` in the library directories (what the toolkit
 * takes from ld.so.cache), then the legacy `libnvidia-nvvm70.so.*`.
 */
export function findDriverLibraries(root: Root, version: string): CdiMount[] {
  const seen = new Set<string>();
  const out: CdiMount[] = [];
  for (const pattern of [`*.so.${version}`, 'libnvidia-nvvm70.so.*']) {
    for (const dir of libraryDirs(root.read)) {
      for (const file of listMatching(dir, pattern)) {
        if (seen.has(file) || !isFile(file)) continue;
        seen.add(file);
        out.push(mount(root, file, READ_ONLY));
      }
    }
  }
  return out;
}

/** The directory of libcuda.so.<version> inside the container (NVIDIA_CTK_LIBCUDA_DIR). */
export function libcudaDir(libraries: CdiMount[], version: string): string | undefined {
  const libcuda = libraries.find((m) => path.basename(m.containerPath) === `libcuda.so.${version}`);
  return libcuda ? path.dirname(libcuda.containerPath) : undefined;
}

/**
 * The links the create-symlinks hook makes for the libraries (the toolkit's
 * WithDriverDotSoSymlinks): libcuda.so, libGLX_indirect.so.0 and libnvidia-opticalflow.so,
 * then `<soname> -> <file>` and `<lib>.so -> <soname>` where the host has those links.
 */
export function librarySymlinks(root: Root, libraries: CdiMount[]): string[] {
  const links: string[] = [];
  const add = (link: string): void => {
    if (!links.includes(link)) links.push(link);
  };
  const driverLib = (lib: string, file: string): boolean => matches(`${lib}.*.*`, file);
  for (const lib of libraries) {
    const dir = path.dirname(lib.containerPath);
    const file = path.basename(lib.containerPath);
    if (driverLib('libcuda.so', file)) add(`libcuda.so.1::${path.join(dir, 'libcuda.so')}`);
    else if (driverLib('libGLX_nvidia.so', file)) add(`${file}::${path.join(dir, 'libGLX_indirect.so.0')}`);
    else if (driverLib('libnvidia-opticalflow.so', file))
      add(`libnvidia-opticalflow.so.1::${path.join(dir, 'libnvidia-opticalflow.so')}`);
    if (!matches('*.*.*', file)) continue;
    const hostRead = path.join(root.read, lib.containerPath);
    let soname: string;
    try {
      soname = readSoname(hostRead);
    } catch {
      continue;
    }
    const hostDir = path.dirname(hostRead);
    if (soname !== '' && soname !== file && isSymlink(path.join(hostDir, soname)))
      add(`${file}::${path.join(dir, soname)}`);
    const soTarget = soname || file;
    const at = soTarget.indexOf('.so');
    const soLink = at < 0 ? soTarget : soTarget.slice(0, at + 3);
    if (soLink !== soTarget && isSymlink(path.join(hostDir, soLink))) add(`${soTarget}::${path.join(dir, soLink)}`);
  }
  return links;
}

/** GSP firmware `nvidia/<version>/gsp*.bin` in the kernel's firmware search path. */
export function findFirmware(root: Root, version: string, sysRoot = '/sys'): CdiMount[] {
  const dirs: string[] = [];
  try {
    const custom = fs.readFileSync(path.join(sysRoot, 'module', 'firmware_class', 'parameters', 'path'), 'utf8').trim();
    if (custom) dirs.push(custom);
  } catch {
    // no custom firmware path
  }
  const release = os.release();
  dirs.push(`/lib/firmware/updates/${release}`, '/lib/firmware/updates/', `/lib/firmware/${release}`, '/lib/firmware/');
  const seen = new Set<string>();
  const out: CdiMount[] = [];
  for (const dir of dirs) {
    for (const file of listMatching(path.join(root.read, dir, 'nvidia', version), 'gsp*.bin')) {
      if (seen.has(file) || !isFile(file)) continue;
      seen.add(file);
      out.push(mount(root, file, READ_ONLY));
    }
  }
  return out;
}

/** The utilities NVIDIA's spec mounts, each the first executable found in PATH under the root. */
export const DRIVER_BINARIES = [
  'nvidia-smi',
  'nvidia-debugdump',
  'nvidia-persistenced',
  'nvidia-cuda-mps-control',
  'nvidia-cuda-mps-server',
  'nvidia-imex',
  'nvidia-imex-ctl',
];

function searchPath(): string[] {
  const defaults = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d !== '');
  for (const d of defaults) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

export function findBinaries(root: Root): CdiMount[] {
  const out: CdiMount[] = [];
  for (const name of DRIVER_BINARIES) {
    for (const dir of searchPath()) {
      const file = path.join(root.read, dir, name);
      try {
        const st = fs.statSync(file);
        if (st.isDirectory() || (st.mode & 0o111) === 0) continue;
      } catch {
        continue;
      }
      out.push(mount(root, file, READ_ONLY));
      break;
    }
  }
  return out;
}

/** nvidia-persistenced and fabric manager sockets (/run or /var/run) and the MPS pipe directory. */
export function findIpc(root: Root): CdiMount[] {
  const out: CdiMount[] = [];
  for (const socket of ['/nvidia-persistenced/socket', '/nvidia-fabricmanager/socket']) {
    for (const dir of ['/run', '/var/run']) {
      const file = path.join(root.read, dir, socket);
      if (!isFile(file)) continue;
      out.push(mount(root, file, IPC_OPTIONS));
      break;
    }
  }
  const mps = path.join(root.read, '/tmp/nvidia-mps');
  if (isFile(mps)) out.push(mount(root, mps, IPC_OPTIONS));
  return out;
}
