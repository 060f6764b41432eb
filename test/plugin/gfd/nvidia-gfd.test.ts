/**
 * Our plugin's GPU Feature Discovery labels (--gfd-output-file) against NVIDIA's
 * gpu-feature-discovery v0.20.0 (--oneshot) on the same NVML: NVIDIA's mock NVML with its
 * GPU profiles, and our fake NVML with sharing and MIG configs. Same keys, same values; the
 * only differences allowed are the ones listed here and in docs/gpu-feature-discovery.md.
 * Both binaries come from ../shared/peers (test/tools/peers.sh); without them this fails.
 */
import * as path from 'node:path';
import {
  a100MigSpec,
  buildFakeNvml,
  defaultSpec,
  migUuid,
  writeFakeNvmlConfig,
  type FakeNvmlSpec,
} from '../helpers/fake-nvml';
import {
  mockNvml,
  nvidiaGfdBinary,
  nvidiaLabels,
  ourLabels,
  type GfdOptions,
  type Labels,
  type NvmlUnderTest,
} from '../../parity/gfd-run';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Labels NVIDIA's GFD writes that ours does not, per case: documented in docs/gpu-feature-discovery.md. */
const NOT_WRITTEN: Record<string, string[]> = {};

function withoutTimestamp(labels: Labels): Labels {
  const { ['nvidia.com/gfd.timestamp']: _ts, ...rest } = labels;
  return rest;
}

async function compare(
  name: string,
  nvml: NvmlUnderTest,
  opts: GfdOptions = {},
): Promise<{ ours: Labels; nvidia: Labels }> {
  const nvidia = nvidiaLabels(nvml, opts).labels;
  const oursRun = await ourLabels(nvml, opts);
  const ts = Number(oursRun.labels['nvidia.com/gfd.timestamp']);
  expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(300);
  const ours = withoutTimestamp(oursRun.labels);
  const expected = { ...nvidia };
  for (const key of NOT_WRITTEN[name] ?? []) {
    expect(nvidia[key]).toBeDefined(); // still a difference: NVIDIA writes it
    delete expected[key];
  }
  expect(ours).toEqual(expected);
  console.log(
    `GFD labels ${name}: ${Object.keys(ours).length} compared, all equal; NVIDIA-only: ${(NOT_WRITTEN[name] ?? []).join(', ') || 'none'}`,
  );
  return { ours, nvidia };
}

// Builds (once, into .cache/) NVIDIA's GFD and mock NVML and our plugin; a cold cache takes
// minutes. When one cannot be built, every test here fails with the reason.
beforeAll(() => {
  ensureOurPluginBuilt();
  mockNvml('a100');
  nvidiaGfdBinary();
}, 900000);

describe("NVIDIA's mock NVML profiles", () => {
  test.each(['a100', 'h100', 't4', 'l40s', 'b200', 'gb200', 'gb300'])(
    '%s: the labels of NVIDIA v0.20.0 GFD',
    async (profile) => {
      const { ours } = await compare(profile, mockNvml(profile));
      expect(ours['nvidia.com/gpu.product']).toMatch(/^NVIDIA-/);
      expect(Number(ours['nvidia.com/gpu.memory'])).toBeGreaterThan(0);
    },
    90000,
  );
});

describe('sharing configs (mock A100 profile)', () => {
  test('time-slicing, 4 replicas: product gets -SHARED, strategy time-slicing', async () => {
    const config = {
      version: 'v1',
      sharing: { timeSlicing: { resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    };
    const { ours } = await compare('a100-time-slicing', mockNvml('a100'), { config });
    expect(ours['nvidia.com/gpu.product']).toBe('NVIDIA-A100-SXM4-40GB-SHARED');
    expect(ours['nvidia.com/gpu.replicas']).toBe('4');
    expect(ours['nvidia.com/gpu.sharing-strategy']).toBe('time-slicing');
  }, 90000);

  test('time-slicing with renameByDefault: no -SHARED suffix', async () => {
    const config = {
      version: 'v1',
      sharing: { timeSlicing: { renameByDefault: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] } },
    };
    const { ours } = await compare('a100-renamed', mockNvml('a100'), { config });
    expect(ours['nvidia.com/gpu.product']).toBe('NVIDIA-A100-SXM4-40GB');
  }, 90000);

  test('a per-resource rename (which NVIDIA ignores, ours honours) is the one documented difference', async () => {
    const config = {
      version: 'v1',
      sharing: {
        timeSlicing: { resources: [{ name: 'nvidia.com/gpu', rename: 'nvidia.com/gpu.small', replicas: 2 }] },
      },
    };
    const nvidia = nvidiaLabels(mockNvml('a100'), { config }).labels;
    const ours = withoutTimestamp((await ourLabels(mockNvml('a100'), { config })).labels);
    expect(nvidia['nvidia.com/gpu.product']).toBe('NVIDIA-A100-SXM4-40GB-SHARED');
    expect(ours).toEqual({ ...nvidia, 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' });
  }, 90000);

  test('MPS, 2 replicas: mps.capable true', async () => {
    const config = {
      version: 'v1',
      flags: { mpsRoot: '/run/nvidia/mps' },
      sharing: { mps: { resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] } },
    };
    const { ours } = await compare('a100-mps', mockNvml('a100'), { config, machine: 'DGX A100' });
    expect(ours['nvidia.com/mps.capable']).toBe('true');
    expect(ours['nvidia.com/gpu.machine']).toBe('DGX-A100');
  }, 90000);

  test('mig strategy single on GPUs without MIG: only the strategy label is added', async () => {
    const { ours } = await compare('a100-mig-single', mockNvml('a100'), {
      config: { version: 'v1', flags: { migStrategy: 'single' } },
    });
    expect(ours['nvidia.com/mig.strategy']).toBe('single');
  }, 90000);
});

/**
 * NVIDIA's GFD on our fake NVML: the fake exports nvmlSystemGetCudaDriverVersion and the MIG
 * GPU/compute instance functions GFD calls; a missing one fails here with GFD's "undefined
 * symbol" output.
 */
describe('our fake NVML', () => {
  let dir: string;
  const fake = (spec: FakeNvmlSpec): NvmlUnderTest => {
    const files = writeFakeNvmlConfig(fs.mkdtempSync(path.join(dir, 'nvml-')), spec);
    return { library: buildFakeNvml(), env: { FAKE_NVML_CONFIG: files.configPath } };
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfd-fake-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('8 × A100', async () => {
    const { ours } = await compare('fake-default', fake(defaultSpec(8)));
    expect(ours['nvidia.com/gpu.count']).toBe('8');
  }, 90000);

  // `single` needs one profile on the whole node (both plugins refuse or flag a mix): both A100s as 7g.80gb.
  const oneProfile = (): FakeNvmlSpec => {
    const spec = a100MigSpec();
    spec.gpus[0] = { ...spec.gpus[0], migDevices: [{ ...spec.gpus[1].migDevices![0], uuid: migUuid(0, 0) }] };
    return spec;
  };
  test.each([
    ['single', oneProfile],
    ['mixed', a100MigSpec],
  ])(
    'MIG strategy %s on A100s with MIG devices',
    async (migStrategy, spec) => {
      await compare(`fake-mig-${migStrategy}`, fake(spec()), { config: { version: 'v1', flags: { migStrategy } } });
    },
    90000,
  );
});
