/**
 * Keeps the plugin's CDI spec in the CDI directory while a CDI strategy is on: written at
 * start and whenever the devices are read again (SIGHUP), removed on a clean stop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginConfig } from '../config/types.js';
import type { DeviceInventory } from '../devices/types.js';
import { removeFile, writeFileAtomic } from './atomic-file.js';
import type { Root } from './host-files.js';
import { CDI_SPEC_FILE, buildCdiSpec, type CdiSpecOptions } from './spec.js';

export function cdiEnabled(config: PluginConfig): boolean {
  return config.flags.plugin.deviceListStrategy.some((s) => s === 'cdi-annotations' || s === 'cdi-cri');
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * NVIDIA's roots: files are read under the container driver root (where the chart mounts the
 * host's driver root) and named in the spec under nvidiaDriverRoot, the host path. Where the
 * container driver root does not exist (the plugin runs on the host itself), the driver root
 * is read directly. Device nodes come from the driver root when it has a /dev, else from /.
 */
export function cdiSpecOptions(config: PluginConfig): CdiSpecOptions {
  const { flags, runtime } = config;
  const read = isDir(flags.plugin.containerDriverRoot) ? flags.plugin.containerDriverRoot : flags.nvidiaDriverRoot;
  const driverRoot: Root = { read, target: flags.nvidiaDriverRoot };
  const devRead = isDir(path.join(read, 'dev')) ? read : '/';
  const devRoot: Root =
    devRead === read ? { read, target: flags.nvidiaDriverRoot } : { read: devRead, target: flags.nvidiaDevRoot };
  return {
    driverRoot,
    devRoot,
    hookPath: flags.plugin.nvidiaCTKPath,
    deviceIdStrategy: flags.plugin.deviceIDStrategy,
    disabledHooks: runtime.cdiDisableHooks,
  };
}

export interface SpecWritten {
  file: string;
  bytes: number;
  devices: number;
  ms: number;
}

/** Builds and writes the spec; throws CdiSpecError (what is missing) or the file system's error. */
export function writeCdiSpec(config: PluginConfig, inventory: DeviceInventory): SpecWritten {
  const started = performance.now();
  const spec = buildCdiSpec(inventory, cdiSpecOptions(config));
  const file = path.join(config.runtime.cdiRoot, CDI_SPEC_FILE);
  const text = JSON.stringify(spec);
  writeFileAtomic(file, text);
  return { file, bytes: Buffer.byteLength(text), devices: spec.devices.length, ms: performance.now() - started };
}

export function removeCdiSpec(config: PluginConfig): boolean {
  return removeFile(path.join(config.runtime.cdiRoot, CDI_SPEC_FILE));
}
