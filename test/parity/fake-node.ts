/**
 * A GPU node made of files, the same for every plugin under test: the fake NVML topology
 * file (with its XID events file and sysfs tree), a driver root laid out as a driver
 * installs itself, a procfs tree with the MIG capability minors, an empty CDI spec
 * directory, and the plugin config file. Everything lives in one temporary directory that
 * `remove()` deletes.
 *
 * The driver root holds what NVIDIA's plugin looks for there:
 * - usr/lib/x86_64-linux-gnu/libnvidia-ml.so.<driver version> (the fake library) with its
 *   libnvidia-ml.so.1 link: NVIDIA's plugin loads NVML from its driver root first;
 * - libcuda.so.<driver version> with libcuda.so.1: with a CDI strategy NVIDIA's CDI generator
 *   (nvidia-container-toolkit's library locator) needs both libraries of the driver version
 *   NVML reports before it writes a spec. libcuda is a stand-in, an empty shared object with
 *   the soname libcuda.so.1 (the generator reads the soname for its links); nothing loads it;
 * - dev/: the device nodes a driver creates, as character devices with the driver's majors
 *   (nvidia<minor> and nvidiactl, nvidia-modeset: 195; nvidia-uvm, nvidia-uvm-tools; and
 *   nvidia-caps/nvidia-cap<n> for the MIG capabilities). Without them NVIDIA's CDI generator
 *   finds no device node, drops its spec as empty, and answers Allocate from a node no real
 *   one looks like. The host's /dev has none of them. Where mknod is not permitted (not
 *   root), empty files stand in: our plugin only checks that they exist, and NVIDIA's plugin
 *   runs only as root.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildFakeNvml, writeFakeNvmlConfig, type FakeNvmlFiles, type FakeNvmlSpec } from '../plugin/helpers/fake-nvml';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface FakeNode extends FakeNvmlFiles {
  dir: string;
  /** The fake libnvidia-ml.so.<driver version> in the driver root (its directory goes on LD_LIBRARY_PATH). */
  libraryPath: string;
  /** A driver root with usr/lib/x86_64-linux-gnu/libnvidia-ml.so.{1,<version>}, libcuda.so.{1,<version>} and dev/. */
  driverRoot: string;
  /** An empty directory for CDI specs (NVIDIA's plugin writes /var/run/cdi; it is mounted there). */
  cdiDir: string;
  /** The plugin config file (NVIDIA's `version: v1`), YAML. */
  configFile: string;
  /** A procfs root with driver/nvidia-caps/mig-minors, for MIG device paths. */
  procRoot: string;
  remove(): void;
}

/** MIG capability minors as the driver lists them: gpu<g>/gi<i>[/ci<c>]/access <minor>. */
function migMinors(spec: FakeNvmlSpec): string {
  const lines: string[] = [];
  let minor = 1;
  spec.gpus.forEach((gpu, g) => {
    for (const mig of gpu.migDevices ?? []) {
      lines.push(`gpu${gpu.minor ?? g}/gi${mig.gpuInstanceId}/access ${minor++}`);
      lines.push(`gpu${gpu.minor ?? g}/gi${mig.gpuInstanceId}/ci${mig.computeInstanceId}/access ${minor++}`);
    }
  });
  return lines.map((l) => `${l}\n`).join('');
}

/** Majors of the nvidia, nvidia-uvm and nvidia-caps character devices (uvm and caps are dynamic on a real node). */
const NVIDIA_MAJOR = 195;
const UVM_MAJOR = 509;
const CAPS_MAJOR = 508;

/** Every device node of the node: [path under dev/, major, minor]. */
function deviceNodes(spec: FakeNvmlSpec): Array<[string, number, number]> {
  const nodes: Array<[string, number, number]> = [
    ['nvidiactl', NVIDIA_MAJOR, 255],
    ['nvidia-modeset', NVIDIA_MAJOR, 254],
    ['nvidia-uvm', UVM_MAJOR, 0],
    ['nvidia-uvm-tools', UVM_MAJOR, 1],
  ];
  spec.gpus.forEach((gpu, g) => nodes.push([`nvidia${gpu.minor ?? g}`, NVIDIA_MAJOR, gpu.minor ?? g]));
  const caps = migMinors(spec).split('\n').filter(Boolean).length;
  for (let minor = 1; minor <= caps; minor++) nodes.push([`nvidia-caps/nvidia-cap${minor}`, CAPS_MAJOR, minor]);
  return nodes;
}

function createDeviceNodes(devDir: string, nodes: Array<[string, number, number]>): void {
  fs.mkdirSync(path.join(devDir, 'nvidia-caps'), { recursive: true });
  const script = nodes
    .map(([p, major, minor]) => `mknod -m 0666 '${path.join(devDir, p)}' c ${major} ${minor}`)
    .join(' && ');
  try {
    execFileSync('sh', ['-c', script], { stdio: 'pipe' });
  } catch {
    for (const [p] of nodes) fs.writeFileSync(path.join(devDir, p), '', { flag: 'a' });
  }
}

let cudaStandIn: string | undefined;

/** Builds the libcuda stand-in once (an empty shared object with soname libcuda.so.1). */
function buildCudaStandIn(): string {
  if (cudaStandIn) return cudaStandIn;
  const out = path.join(repoRoot, 'test', '.build', 'fake-nvml', 'libcuda-stand-in.so.1');
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libcuda.so.1', '-o', tmp, '-x', 'c', '/dev/null'], {
      stdio: 'pipe',
    });
    fs.renameSync(tmp, out);
  }
  return (cudaStandIn = out);
}

export function createFakeNode(spec: FakeNvmlSpec, config: object): FakeNode {
  // Short: unix socket paths under it must stay below 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-'));
  const files = writeFakeNvmlConfig(path.join(dir, 'nvml'), spec);
  const driverRoot = path.join(dir, 'driver');
  const libDir = path.join(driverRoot, 'usr', 'lib', 'x86_64-linux-gnu');
  fs.mkdirSync(libDir, { recursive: true });
  const driverVersion = spec.driverVersion ?? '550.54.15';
  // A copy, not a link out of the driver root: NVIDIA's CDI spec names the files it finds.
  const libraryPath = path.join(libDir, `libnvidia-ml.so.${driverVersion}`);
  fs.copyFileSync(buildFakeNvml(), libraryPath);
  fs.symlinkSync(`libnvidia-ml.so.${driverVersion}`, path.join(libDir, 'libnvidia-ml.so.1'));
  fs.copyFileSync(buildCudaStandIn(), path.join(libDir, `libcuda.so.${driverVersion}`));
  fs.symlinkSync(`libcuda.so.${driverVersion}`, path.join(libDir, 'libcuda.so.1'));
  createDeviceNodes(path.join(driverRoot, 'dev'), deviceNodes(spec));
  fs.mkdirSync(path.join(files.sysfsRoot, 'bus', 'pci', 'devices'), { recursive: true });
  const cdiDir = path.join(dir, 'cdi');
  fs.mkdirSync(cdiDir);
  const procRoot = path.join(dir, 'proc');
  fs.mkdirSync(path.join(procRoot, 'driver', 'nvidia-caps'), { recursive: true });
  fs.writeFileSync(path.join(procRoot, 'driver', 'nvidia-caps', 'mig-minors'), migMinors(spec));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, stringify(config));
  return {
    ...files,
    dir,
    libraryPath,
    driverRoot,
    cdiDir,
    configFile,
    procRoot,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
