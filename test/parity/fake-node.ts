/**
 * A GPU node made of files, the same for every plugin under test: the fake NVML topology
 * file (with its XID events file and sysfs tree), a driver root whose usual library
 * directory holds the fake libnvidia-ml.so.1 (NVIDIA's plugin looks for the library under
 * its driver root before it falls back to the loader's search path), and the plugin
 * config file. Everything lives in one temporary directory that `remove()` deletes.
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
  /** A driver root with usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 in it. */
  driverRoot: string;
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
  fs.symlinkSync(libraryPath, path.join(libDir, 'libnvidia-ml.so.1'));
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
    configFile,
    procRoot,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
