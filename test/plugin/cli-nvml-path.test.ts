// Where the plugin dlopens libnvidia-ml: as NVIDIA's plugin does, under the driver root as
// the container sees it (--driver-root-ctr-path, where the DaemonSet mounts the host's
// --driver-root such as the GPU Operator's /run/nvidia/driver), then under --driver-root
// itself (the plugin run on the host), then the bare name for the loader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nvmlLibraryPath } from '../../plugin/src/cli';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nvml-path-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lib(root: string, sub = 'usr/lib/x86_64-linux-gnu'): string {
  mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, sub, 'libnvidia-ml.so.1'), '');
  return join(root, sub, 'libnvidia-ml.so.1');
}

const config = (ctr: string, host: string, library = 'libnvidia-ml.so.1') =>
  ({
    flags: { nvidiaDriverRoot: host, plugin: { containerDriverRoot: ctr } },
    runtime: { nvmlLibrary: library },
  }) as any;

test('the container driver root wins: the host path /run/nvidia/driver does not exist inside the pod', () => {
  const ctr = join(dir, 'driver-root');
  const inPod = lib(ctr);
  expect(nvmlLibraryPath(config(ctr, '/run/nvidia/driver-that-is-not-here'))).toBe(inPod);
  // Even when the host path also holds one (the plugin run with both on one machine).
  lib(join(dir, 'host'));
  expect(nvmlLibraryPath(config(ctr, join(dir, 'host')))).toBe(inPod);
});

test('without a container driver root mount, --driver-root is searched (the plugin on the host, tests)', () => {
  const host = join(dir, 'host');
  expect(nvmlLibraryPath(config(join(dir, 'no-mount'), host, 'libnvidia-ml.so.1'))).toBe('libnvidia-ml.so.1');
  const onHost = lib(host, 'usr/lib64');
  expect(nvmlLibraryPath(config(join(dir, 'no-mount'), host))).toBe(onHost);
});

test('an absolute --nvml-library-path is used as given', () => {
  lib(join(dir, 'driver-root'));
  expect(nvmlLibraryPath(config(join(dir, 'driver-root'), '/', '/opt/x/libnvidia-ml.so.1'))).toBe(
    '/opt/x/libnvidia-ml.so.1',
  );
});
