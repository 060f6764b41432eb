/**
 * A GPU node made of files, the same for every plugin under test: the fake NVML topology
 * file (with its XID events file and sysfs tree), a driver root laid out as a driver
 * installs its user-space libraries, a procfs tree with the MIG capability minors, an empty
 * CDI spec directory, and the plugin config file. Everything lives in one temporary
 * directory that `remove()` deletes.
 *
 * The driver root's usr/lib/x86_64-linux-gnu holds libnvidia-ml.so.<driver version> (the
 * fake library) with its libnvidia-ml.so.1 link, and libcuda.so.<driver version> with
 * libcuda.so.1: NVIDIA's plugin looks for the NVML library under its driver root first, and
 * with a CDI strategy its CDI generator (nvidia-container-toolkit's library locator) needs
 * both libraries of the driver version NVML reports before it writes a spec. libcuda is an
 * empty stand-in: the generator only locates the file and names it in the spec; nothing
 * loads it. The driver root has no dev/: no /dev/nvidia* node exists on a test machine, and
 * the generator leaves absent nodes out of the spec with a warning.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildFakeNvml, writeFakeNvmlConfig, type FakeNvmlFiles, type FakeNvmlSpec } from '../plugin/helpers/fake-nvml';

export interface FakeNode extends FakeNvmlFiles {
  dir: string;
  /** The fake libnvidia-ml.so.1 (its directory goes on LD_LIBRARY_PATH). */
  libraryPath: string;
  /** A driver root with usr/lib/x86_64-linux-gnu/libnvidia-ml.so.{1,<version>} and libcuda.so.{1,<version>}. */
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
  return lines.join('\n') + '\n';
}

export function createFakeNode(spec: FakeNvmlSpec, config: object): FakeNode {
  // Short: unix socket paths under it must stay below 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-'));
  const libraryPath = buildFakeNvml();
  const files = writeFakeNvmlConfig(path.join(dir, 'nvml'), spec);
  const driverRoot = path.join(dir, 'driver');
  const libDir = path.join(driverRoot, 'usr', 'lib', 'x86_64-linux-gnu');
  fs.mkdirSync(libDir, { recursive: true });
  const driverVersion = spec.driverVersion ?? '550.54.15';
  fs.symlinkSync(libraryPath, path.join(libDir, `libnvidia-ml.so.${driverVersion}`));
  fs.symlinkSync(`libnvidia-ml.so.${driverVersion}`, path.join(libDir, 'libnvidia-ml.so.1'));
  fs.writeFileSync(path.join(libDir, `libcuda.so.${driverVersion}`), '');
  fs.symlinkSync(`libcuda.so.${driverVersion}`, path.join(libDir, 'libcuda.so.1'));
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
