/**
 * GFD's MIG labels from our plugin on the fake NVML (an A100 pair with MIG devices), checked
 * against the values the fake reports. NVIDIA's GFD cannot run on the fake NVML yet (see
 * nvidia-gfd.test.ts), so these are checked against the topology file instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { a100MigSpec, buildFakeNvml, migUuid, writeFakeNvmlConfig } from '../helpers/fake-nvml';
import { ourLabels, type NvmlUnderTest } from '../../parity/gfd-run';
import { ensureOurPluginBuilt } from '../../parity/plugin-process';

let dir: string;
let nvml: NvmlUnderTest;
beforeAll(() => {
  ensureOurPluginBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfd-mig-'));
  nvml = { library: buildFakeNvml(), env: { FAKE_NVML_CONFIG: writeFakeNvmlConfig(dir, a100MigSpec()).configPath } };
}, 180000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("mixed: one label set per MIG profile with NVML's attributes; the MIG-enabled parents without sharing", async () => {
  const { labels } = await ourLabels(nvml, { config: { version: 'v1', flags: { migStrategy: 'mixed' } } });
  expect(labels['nvidia.com/mig.strategy']).toBe('mixed');
  expect(labels['nvidia.com/gpu.count']).toBe('2');
  expect(labels['nvidia.com/gpu.replicas']).toBe('0');
  const mig = Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith('nvidia.com/mig-2g.20gb.')));
  expect(mig).toEqual({
    'nvidia.com/mig-2g.20gb.count': '1',
    'nvidia.com/mig-2g.20gb.engines.copy': '2',
    'nvidia.com/mig-2g.20gb.engines.decoder': '1',
    'nvidia.com/mig-2g.20gb.engines.encoder': '0',
    'nvidia.com/mig-2g.20gb.engines.jpeg': '0',
    'nvidia.com/mig-2g.20gb.engines.ofa': '0',
    'nvidia.com/mig-2g.20gb.memory': '19968',
    'nvidia.com/mig-2g.20gb.multiprocessors': '28',
    'nvidia.com/mig-2g.20gb.product': 'NVIDIA-A100-SXM4-80GB-MIG-2g.20gb',
    'nvidia.com/mig-2g.20gb.replicas': '1',
    'nvidia.com/mig-2g.20gb.sharing-strategy': 'none',
    'nvidia.com/mig-2g.20gb.slices.ci': '2',
    'nvidia.com/mig-2g.20gb.slices.gi': '2',
  });
  expect(labels['nvidia.com/mig-1g.10gb.count']).toBe('2');
}, 60000);

test("single: the one MIG profile becomes nvidia.com/gpu, attributes included, the parent's family kept", async () => {
  const spec = a100MigSpec();
  const oneG = spec.gpus[0].migDevices!.slice(2); // the two 1g.10gb devices
  spec.gpus[0].migDevices = oneG;
  spec.gpus[1].migDevices = [{ ...oneG[0], uuid: migUuid(1, 0), slot: 0 }];
  const single: NvmlUnderTest = {
    library: nvml.library,
    env: { FAKE_NVML_CONFIG: writeFakeNvmlConfig(path.join(dir, 'single'), spec).configPath },
  };
  const { labels } = await ourLabels(single, { config: { version: 'v1', flags: { migStrategy: 'single' } } });
  expect(labels['nvidia.com/mig.strategy']).toBe('single');
  expect(labels['nvidia.com/gpu.product']).toBe('NVIDIA-A100-SXM4-80GB-MIG-1g.10gb');
  expect(labels['nvidia.com/gpu.count']).toBe('3');
  expect(labels['nvidia.com/gpu.memory']).toBe('9856');
  expect(labels['nvidia.com/gpu.multiprocessors']).toBe('14');
  expect(labels['nvidia.com/gpu.family']).toBe('ampere');
}, 60000);
