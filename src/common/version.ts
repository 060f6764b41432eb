import * as fs from 'fs';
import * as path from 'path';

/**
 * The package version, read once from package.json so image tags and the
 * `app.kubernetes.io/version` label never drift from the release.
 * Works from src/ (ts-node) and lib/ (compiled): both sit two levels below the root.
 */
function readPackageVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf-8')) as { version?: string };
  if (!pkg.version) {
    throw new Error(`package.json at ${file} has no "version" field`);
  }
  return pkg.version;
}

/** Version of this library, e.g. `0.1.0`. */
export const LIBRARY_VERSION: string = readPackageVersion();

/** NVIDIA's k8s-device-plugin release whose config, flags and responses we are compatible with. */
export const NVIDIA_DEVICE_PLUGIN_VERSION = 'v0.20.0';
