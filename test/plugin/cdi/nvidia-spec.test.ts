/**
 * Our CDI spec against the one NVIDIA's k8s-device-plugin v0.20.0 (built from
 * ../shared/peers by test/tools/peers.sh) writes on the same fake node, for the same
 * strategies: both processes run on the fake NVML with the same driver root (device nodes,
 * libraries with sonames and links, firmware, binaries, the persistenced socket; see
 * test/parity/cdi-node.ts), and the two spec files must be the same JSON. Then the CDI
 * project's own Go library (test/tools/cdi-validate) reads ours as containerd and CRI-O do
 * and injects every advertised device into an OCI spec.
 *
 * MIG: NVIDIA's plugin needs nvmlDeviceGetGpuInstanceProfileInfo from the fake NVML for any
 * MIG node; without it the MIG comparison fails with NVIDIA's "undefined symbol" output.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { a100MigSpec, defaultSpec, gpuUuid } from '../helpers/fake-nvml';
import { CDI_SPEC_NAME, createCdiNode, nvidiaPluginBinary, runUntilSpec, type CdiNode } from '../../parity/cdi-node';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';
import { toolPath } from '../../helpers/tools';

interface Validation {
  specs: Array<{ kind: string; cdiVersion: string; minimumVersion: string; devices: string[] }>;
  injected?: {
    linux?: { devices?: Array<{ path: string }> };
    mounts?: Array<{ destination: string }>;
    hooks?: Record<string, unknown[]>;
    process?: { env?: string[] };
  };
  errors: string[];
}

function validator(): string {
  return toolPath(
    'cdi-validate.sh',
    [],
    'the CDI validator (tags.cncf.io/container-device-interface)',
    'the spec cannot be validated',
  );
}

function validate(dir: string, devices: string[]): Validation {
  try {
    return JSON.parse(execFileSync(validator(), [dir, ...devices], { encoding: 'utf8' })) as Validation;
  } catch (err) {
    const out = String((err as { stdout?: string }).stdout ?? '');
    throw new Error(
      `the CDI library rejected the spec in ${dir}:\n${out}${String((err as { stderr?: string }).stderr ?? '')}`,
    );
  }
}

// Builds (once, into .cache/) NVIDIA's plugin, the CDI validator and our plugin; a cold
// cache takes minutes. When one cannot be built, every test here fails with the reason.
beforeAll(() => {
  ensureOurPluginBuilt();
  nvidiaPluginBinary();
  validator();
}, 900000);

describe('whole GPUs', () => {
  let node: CdiNode;
  beforeAll(() => {
    node = createCdiNode(defaultSpec(4), { version: 'v1' });
  });
  afterAll(() => node.remove());

  test.each([
    ['cdi-cri', 'uuid'],
    ['cdi-annotations', 'index'],
  ])(
    '%s, deviceIDStrategy %s: the same spec as NVIDIA v0.20.0',
    async (listStrategy, idStrategy) => {
      const opts = { deviceListStrategy: listStrategy, deviceIdStrategy: idStrategy };
      const ours = await runUntilSpec('ours', node, opts);
      const nvidia = await runUntilSpec('nvidia', node, opts);
      expect(ours.spec).toEqual(nvidia.spec);
      // Not a trivially equal pair: four devices, the control nodes, the libraries and hooks.
      const devices = (ours.spec.devices as Array<{ name: string }>).map((d) => d.name);
      expect(devices).toEqual(idStrategy === 'uuid' ? [0, 1, 2, 3].map(gpuUuid).sort() : ['0', '1', '2', '3']);
      const common = ours.spec.containerEdits as { mounts: unknown[]; hooks: unknown[]; deviceNodes: unknown[] };
      expect(common.deviceNodes).toHaveLength(4);
      expect(common.mounts.length).toBeGreaterThanOrEqual(10);
      expect(common.hooks).toHaveLength(5);
      console.log(
        `CDI spec ${listStrategy}/${idStrategy}: ours ${ours.text.length} bytes, built and written in ${ours.writeMs} ms, ` +
          `on disk ${ours.ms.toFixed(0)} ms after spawn; ` +
          `NVIDIA's ${nvidia.text.length} bytes, ${nvidia.ms.toFixed(0)} ms`,
      );
    },
    60000,
  );

  test('the driver root the host sees is what the spec names (nvidiaDriverRoot ≠ container driver root)', async () => {
    const opts = { hostDriverRoot: '/run/nvidia/driver' };
    const ours = await runUntilSpec('ours', node, opts);
    const nvidia = await runUntilSpec('nvidia', node, opts);
    expect(ours.spec).toEqual(nvidia.spec);
    expect(JSON.stringify(ours.spec)).toContain(
      '"hostPath":"/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15"',
    );
    expect(JSON.stringify(ours.spec)).not.toContain(node.driverRoot);
  }, 60000);

  test('the CDI library accepts our spec and resolves every device it names', async () => {
    const ours = await runUntilSpec('ours', node, {});
    const dir = fs.mkdtempSync(path.join(node.dir, 'validate-'));
    fs.writeFileSync(path.join(dir, CDI_SPEC_NAME), ours.text);
    const names = [0, 1, 2, 3].map((i) => `k8s.device-plugin.nvidia.com/gpu=${gpuUuid(i)}`);
    const result = validate(dir, names);
    expect(result.errors).toEqual([]);
    expect(result.specs).toEqual([
      expect.objectContaining({
        kind: 'k8s.device-plugin.nvidia.com/gpu',
        cdiVersion: '0.5.0',
        minimumVersion: '0.5.0',
      }),
    ]);
    expect(result.specs[0].devices).toEqual([0, 1, 2, 3].map(gpuUuid).sort());
    const injectedNodes = (result.injected?.linux?.devices ?? []).map((d) => d.path).sort();
    expect(injectedNodes).toEqual([
      '/dev/nvidia-modeset',
      '/dev/nvidia-uvm',
      '/dev/nvidia-uvm-tools',
      '/dev/nvidia0',
      '/dev/nvidia1',
      '/dev/nvidia2',
      '/dev/nvidia3',
      '/dev/nvidiactl',
    ]);
    expect((result.injected?.mounts ?? []).map((m) => m.destination)).toContain(
      '/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15',
    );
    expect(result.injected?.process?.env).toContain('NVIDIA_VISIBLE_DEVICES=void');
  }, 120000);

  test('a name the spec does not hold is refused by the CDI library (the check can fail)', async () => {
    const ours = await runUntilSpec('ours', node, {});
    const dir = fs.mkdtempSync(path.join(node.dir, 'validate-'));
    fs.writeFileSync(path.join(dir, CDI_SPEC_NAME), ours.text);
    expect(() => validate(dir, ['k8s.device-plugin.nvidia.com/gpu=GPU-00000000-0000-4000-8000-000000000000'])).toThrow(
      /unresolvable CDI devices/,
    );
  }, 120000);
});

describe('MIG (A100 with MIG devices, mig strategy mixed)', () => {
  let node: CdiNode;
  beforeAll(() => {
    node = createCdiNode(a100MigSpec(), { version: 'v1' });
  });
  afterAll(() => node.remove());

  test('the same spec as NVIDIA v0.20.0', async () => {
    const opts = { migStrategy: 'mixed' };
    const ours = await runUntilSpec('ours', node, opts);
    const nvidia = await runUntilSpec('nvidia', node, opts);
    expect(ours.spec).toEqual(nvidia.spec);
  }, 60000);

  test('the CDI library accepts our MIG spec and resolves each MIG device', async () => {
    const ours = await runUntilSpec('ours', node, { migStrategy: 'mixed' });
    const names = (ours.spec.devices as Array<{ name: string }>).map((d) => d.name);
    expect(names.every((n) => n.startsWith('MIG-'))).toBe(true);
    const dir = fs.mkdtempSync(path.join(node.dir, 'validate-'));
    fs.writeFileSync(path.join(dir, CDI_SPEC_NAME), ours.text);
    const result = validate(dir, [`k8s.device-plugin.nvidia.com/gpu=${names[0]}`]);
    expect(result.errors).toEqual([]);
    const nodes = (result.injected?.linux?.devices ?? []).map((d) => d.path);
    expect(nodes.filter((p) => p.startsWith('/dev/nvidia-caps/'))).toHaveLength(2);
    expect(nodes).toContain('/dev/nvidia0');
  }, 120000);
});
