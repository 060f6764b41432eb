/**
 * Writes the GPU Feature Discovery labels into node-feature-discovery's local feature file
 * (`--gfd-output-file`), which nfd-worker turns into node labels. Written at start and after
 * every rediscovery (SIGHUP); removed on a clean stop, as NVIDIA's GFD removes its file.
 */
import type { PluginConfig } from '../config/types.js';
import type { DeviceInventory } from '../devices/types.js';
import { removeFile, writeFileAtomic } from '../cdi/atomic-file.js';
import { resolveNvmlLibrary } from '../devices/host-files.js';
import { readClique } from './fabric.js';
import { featureFile, gfdLabels } from './labels.js';

export interface LabelsWritten {
  file: string;
  labels: number;
  ms: number;
}

export function gfdEnabled(config: PluginConfig): boolean {
  return config.runtime.gfdOutputFile !== '';
}

export function writeGfdLabels(
  config: PluginConfig,
  inventory: DeviceInventory,
  sysfsRoot = process.env.GPU_DEVICE_PLUGIN_SYSFS_ROOT || '/sys',
): LabelsWritten {
  const started = performance.now();
  const labels = gfdLabels(inventory, config, {
    machineTypeFile: config.runtime.gfdMachineTypeFile,
    sysfsRoot,
    timestamp: Math.floor(Date.now() / 1000),
    clique: readClique(
      resolveNvmlLibrary(config.runtime.nvmlLibrary, config.flags.nvidiaDriverRoot),
      inventory.gpus.map((g) => g.uuid),
    ),
  });
  writeFileAtomic(config.runtime.gfdOutputFile, featureFile(labels));
  return { file: config.runtime.gfdOutputFile, labels: Object.keys(labels).length, ms: performance.now() - started };
}

export function removeGfdLabels(config: PluginConfig): boolean {
  return removeFile(config.runtime.gfdOutputFile);
}
