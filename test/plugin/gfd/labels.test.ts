/**
 * The parts of the GFD labels NVIDIA's mock NVML cannot exercise (it has no sysfs): the GPU
 * mode from the PCI class, vGPU detection from the PCI vendor capability, the machine type,
 * and GFD's name rules.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../plugin/src/config/load';
import type { DeviceInventory } from '../../../plugin/src/devices/types';
import { archFamily, featureFile, gfdLabels, sanitise } from '../../../plugin/src/gfd/labels';

const config = loadConfig({ argv: [], env: {} });
const inventory = (busIds: string[]): DeviceInventory => ({
  driverVersion: '570.86.15',
  cudaDriverVersion: 12080,
  topology: { nvlinks: [], pcie: [] },
  gpus: busIds.map((pciBusId, index) => ({
    index,
    uuid: `GPU-${index}`,
    name: 'NVIDIA H100 80GB HBM3',
    memoryMiB: 81559,
    minor: index,
    pciBusId,
    computeCapability: { major: 9, minor: 0 },
    migCapable: true,
    migEnabled: false,
    migDevices: [],
  })),
});

let sys: string;
beforeEach(() => {
  sys = fs.mkdtempSync(path.join(os.tmpdir(), 'gfd-sys-'));
});
afterEach(() => fs.rmSync(sys, { recursive: true, force: true }));

/** A PCI function in the fake sysfs; `vgpu` puts the "VF" vendor capability in a 256-byte config. */
function pciDevice(
  name: string,
  cls: string,
  opts: { vendor?: string; configBytes?: number; vgpu?: boolean } = {},
): void {
  const dir = path.join(sys, 'bus', 'pci', 'devices', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'class'), `${cls}\n`);
  fs.writeFileSync(path.join(dir, 'vendor'), `${opts.vendor ?? '0x10de'}\n`);
  const config = Buffer.alloc(opts.configBytes ?? 256);
  if (config.length >= 256) {
    config[0x06] = 0x10; // capability list present
    config[0x34] = 0x60; // first capability
    config.set([0x01, 0x68, 0x08], 0x60); // power management, next 0x68
    config.set(opts.vgpu ? [0x09, 0x00, 0x14, 0x56, 0x46] : [0x09, 0x00, 0x14, 0x50, 0x54], 0x68);
  }
  fs.writeFileSync(path.join(dir, 'config'), config);
}

test('gpu.mode: compute for 3D controllers, graphics for VGA, unknown when mixed or unreadable', () => {
  pciDevice('0000:07:00.0', '0x030200');
  pciDevice('0000:0b:00.0', '0x030200');
  const labels = (ids: string[]) => gfdLabels(inventory(ids), config, { machineTypeFile: '', sysfsRoot: sys });
  expect(labels(['00000000:07:00.0', '00000000:0B:00.0'])['nvidia.com/gpu.mode']).toBe('compute');
  pciDevice('0000:0f:00.0', '0x030000');
  expect(labels(['00000000:0F:00.0'])['nvidia.com/gpu.mode']).toBe('graphics');
  expect(labels(['00000000:07:00.0', '00000000:0F:00.0'])['nvidia.com/gpu.mode']).toBe('unknown');
  expect(labels(['00000000:99:00.0'])['nvidia.com/gpu.mode']).toBe('unknown');
});

test('vgpu.present: true with the "VF" signature, false without, no label when the config space is cut short', () => {
  const present = () =>
    gfdLabels(inventory([]), config, { machineTypeFile: '', sysfsRoot: sys })['nvidia.com/vgpu.present'];
  pciDevice('0000:00:02.0', '0x060400', { vendor: '0x8086' });
  expect(present()).toBe('false');
  pciDevice('0000:07:00.0', '0x030200');
  expect(present()).toBe('false');
  pciDevice('0000:0b:00.0', '0x030200', { vgpu: true });
  expect(present()).toBe('true');
  fs.rmSync(sys, { recursive: true });
  pciDevice('0000:07:00.0', '0x030200', { configBytes: 64 });
  expect(present()).toBeUndefined();
});

test('machine type from the DMI file, "unknown" when it cannot be read; versions split as GFD does', () => {
  const file = path.join(sys, 'product_name');
  fs.writeFileSync(file, 'ProLiant XL675d Gen10 Plus (P19725-B21)\n');
  const labels = gfdLabels(inventory(['00000000:07:00.0']), config, {
    machineTypeFile: file,
    sysfsRoot: sys,
    timestamp: 1700000000,
  });
  expect(labels['nvidia.com/gpu.machine']).toBe('ProLiant-XL675d-Gen10-Plus-P19725-B21');
  expect(
    gfdLabels(inventory(['00000000:07:00.0']), config, { machineTypeFile: path.join(sys, 'none'), sysfsRoot: sys })[
      'nvidia.com/gpu.machine'
    ],
  ).toBe('unknown');
  expect(labels['nvidia.com/cuda.driver-version.revision']).toBe('15');
  expect(labels['nvidia.com/cuda.runtime-version.full']).toBe('12.8');
  expect(labels['nvidia.com/gpu.product']).toBe('NVIDIA-H100-80GB-HBM3');
  expect(labels['nvidia.com/gpu.family']).toBe('hopper');
  expect(labels['nvidia.com/gfd.timestamp']).toBe('1700000000');
  expect(featureFile(labels).split('\n')[0]).toBe('nvidia.com/cuda.driver-version.full=570.86.15');
});

test('no GPUs: no GPU labels at all', () => {
  expect(Object.keys(gfdLabels(inventory([]), config, { machineTypeFile: '', sysfsRoot: sys }))).toEqual([]);
});

test('a driver version that is not X.Y[.Z] is an error naming it', () => {
  const inv = inventory(['00000000:07:00.0']);
  inv.driverVersion = '570';
  expect(() => gfdLabels(inv, config, { machineTypeFile: '', sysfsRoot: sys })).toThrow(
    'driver version "570" from NVML does not match X.Y[.Z]',
  );
});

test('sanitise and archFamily follow GFD', () => {
  expect(sanitise('  NVIDIA  GeForce RTX 4090 (rev a1) ')).toBe('NVIDIA-GeForce-RTX-4090-rev-a1');
  expect([
    archFamily(7, 0),
    archFamily(7, 5),
    archFamily(8, 6),
    archFamily(8, 9),
    archFamily(12, 0),
    archFamily(4, 0),
  ]).toEqual(['volta', 'turing', 'ampere', 'ada-lovelace', 'blackwell', 'undefined']);
});
