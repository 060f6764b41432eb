/**
 * The fake NVML's MIG instance functions (test/fixtures/fake-nvml/fake-nvml-instances.c), the
 * calls NVIDIA's go-nvlib makes to name a MIG device's profile: each MIG device's GPU instance
 * and compute instance, their profile IDs, and the profile info with nvml.h's struct layouts.
 * `npm run parity:live` depends on these to run NVIDIA's plugin in the MIG scenarios.
 */
import { rmSync } from 'node:fs';
import koffi from 'koffi';
import { a100MigSpec, defaultSpec, useFakeNvml, type FakeNvmlSpec } from '../helpers/fake-nvml';

const handle = koffi.pointer(koffi.opaque());
const outHandle = koffi.out(koffi.pointer(handle));
const giProfileInfo = koffi.struct({
  id: 'uint',
  isP2pSupported: 'uint',
  sliceCount: 'uint',
  instanceCount: 'uint',
  multiprocessorCount: 'uint',
  copyEngineCount: 'uint',
  decoderCount: 'uint',
  encoderCount: 'uint',
  jpegCount: 'uint',
  ofaCount: 'uint',
  memorySizeMB: 'uint64',
});
const placement = koffi.struct({ start: 'uint', size: 'uint' });
const giInfo = koffi.struct({ device: handle, id: 'uint', profileId: 'uint', placement });
const ciProfileInfo = koffi.struct({
  id: 'uint',
  sliceCount: 'uint',
  instanceCount: 'uint',
  multiprocessorCount: 'uint',
  sharedCopyEngineCount: 'uint',
  sharedDecoderCount: 'uint',
  sharedEncoderCount: 'uint',
  sharedJpegCount: 'uint',
  sharedOfaCount: 'uint',
});
const ciInfo = koffi.struct({ device: handle, gpuInstance: handle, id: 'uint', profileId: 'uint', placement });

const SUCCESS = 0;
const INVALID_ARGUMENT = 2;
const NOT_SUPPORTED = 3;
const NOT_FOUND = 6;

type Out = Record<string, unknown>;
type TypeSpec = Parameters<typeof koffi.sizeof>[0];
let dirs: string[] = [];

function load(spec: FakeNvmlSpec) {
  const fake = useFakeNvml(spec);
  dirs.push(fake.dir);
  const lib = koffi.load(fake.libraryPath);
  const f = (name: string, args: TypeSpec[]) => lib.func(name, 'int', args);
  const api = {
    init: f('nvmlInit_v2', []),
    shutdown: f('nvmlShutdown', []),
    byIndex: f('nvmlDeviceGetHandleByIndex_v2', ['uint', outHandle]),
    migByIndex: f('nvmlDeviceGetMigDeviceHandleByIndex', [handle, 'uint', outHandle]),
    giProfile: f('nvmlDeviceGetGpuInstanceProfileInfo', [handle, 'uint', koffi.out(koffi.pointer(giProfileInfo))]),
    giById: f('nvmlDeviceGetGpuInstanceById', [handle, 'uint', outHandle]),
    giInfo: f('nvmlGpuInstanceGetInfo', [handle, koffi.out(koffi.pointer(giInfo))]),
    ciProfile: f('nvmlGpuInstanceGetComputeInstanceProfileInfo', [
      handle,
      'uint',
      'uint',
      koffi.out(koffi.pointer(ciProfileInfo)),
    ]),
    ciById: f('nvmlGpuInstanceGetComputeInstanceById', [handle, 'uint', outHandle]),
    ciInfo: f('nvmlComputeInstanceGetInfo_v2', [handle, koffi.out(koffi.pointer(ciInfo))]),
  };
  expect(api.init()).toBe(SUCCESS);
  opened.push(api.shutdown);
  const gpu = (i: number): unknown => {
    const out: unknown[] = [null];
    expect(api.byIndex(i, out)).toBe(SUCCESS);
    return out[0];
  };
  return { api, gpu };
}

let opened: Array<() => number> = [];
afterEach(() => {
  opened.forEach((shutdown) => shutdown());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  opened = [];
  dirs = [];
});

/** What go-nvlib's MigDevice.GetProfile reads for the MIG device at `slot` of `gpuIndex`. */
function profileIdsOf(nvml: ReturnType<typeof load>, gpuIndex: number, slot: number, gi: number, ci: number) {
  const { api, gpu } = nvml;
  const parent = gpu(gpuIndex);
  const mig: unknown[] = [null];
  expect(api.migByIndex(parent, slot, mig)).toBe(SUCCESS);
  const giHandle: unknown[] = [null];
  expect(api.giById(parent, gi, giHandle)).toBe(SUCCESS);
  const gInfo: Out = {};
  expect(api.giInfo(giHandle[0], gInfo)).toBe(SUCCESS);
  const ciHandle: unknown[] = [null];
  expect(api.ciById(giHandle[0], ci, ciHandle)).toBe(SUCCESS);
  const cInfo: Out = {};
  expect(api.ciInfo(ciHandle[0], cInfo)).toBe(SUCCESS);
  return { parent, giHandle: giHandle[0], gInfo, cInfo };
}

test('each MIG device of the A100 spec has the GPU and compute instance profile of its slices', () => {
  const nvml = load(a100MigSpec());
  // a100MigSpec: GPU 0 = 3g (gi 2), 2g (gi 3), 1g (gi 9), 1g (gi 10); GPU 1 = 7g (gi 0).
  const expected: Array<[number, number, number, number]> = [
    [0, 0, 2, 2], // NVML_GPU_INSTANCE_PROFILE_3_SLICE = 2, NVML_COMPUTE_INSTANCE_PROFILE_3_SLICE = 2
    [0, 1, 3, 1],
    [0, 2, 9, 0],
    [0, 3, 10, 0],
    [1, 0, 0, 4], // 7_SLICE = 4 for both
  ];
  for (const [gpuIndex, slot, gi, profile] of expected) {
    const { parent, giHandle, gInfo, cInfo } = profileIdsOf(nvml, gpuIndex, slot, gi, 0);
    expect(gInfo).toMatchObject({ id: gi, profileId: profile });
    expect(cInfo).toMatchObject({ id: 0, profileId: profile });
    // Both infos name the parent GPU, and the compute instance names its GPU instance's handle.
    expect(koffi.address(gInfo.device as never)).toBe(koffi.address(parent as never));
    expect(koffi.address(cInfo.gpuInstance as never)).toBe(koffi.address(giHandle as never));
  }
});

test('a GPU instance profile in use reports its MIG device: counts and the 64-bit memory size at their offsets', () => {
  const nvml = load(a100MigSpec());
  const info: Out = {};
  expect(nvml.api.giProfile(nvml.gpu(1), 4, info)).toBe(SUCCESS);
  expect(info).toEqual({
    id: 4,
    isP2pSupported: 0,
    sliceCount: 7,
    instanceCount: 1,
    multiprocessorCount: 98,
    copyEngineCount: 7,
    decoderCount: 5,
    encoderCount: 0,
    jpegCount: 1,
    ofaCount: 1,
    memorySizeMB: 80896,
  });
});

test('profiles an A100 80GB lacks answer NOT_SUPPORTED, out-of-range ones INVALID_ARGUMENT, a GPU without MIG NOT_SUPPORTED', () => {
  const nvml = load(a100MigSpec());
  const supported = Array.from({ length: 18 }, (_, p) => p).filter(
    (p) => nvml.api.giProfile(nvml.gpu(0), p, {}) === SUCCESS,
  );
  // 1g, 2g, 3g, 4g, 7g, 1g+me (REV1 = 7), 1g.20gb (REV2 = 9)
  expect(supported).toEqual([0, 1, 2, 3, 4, 7, 9]);
  expect(nvml.api.giProfile(nvml.gpu(0), 5, {})).toBe(NOT_SUPPORTED);
  expect(nvml.api.giProfile(nvml.gpu(0), 18, {})).toBe(INVALID_ARGUMENT);
  // An unused profile's memory is its share of the GPU's: 4g = 4/8 of 81920 MiB.
  const fourSlices: Out = {};
  nvml.api.giProfile(nvml.gpu(0), 3, fourSlices);
  expect(fourSlices).toMatchObject({ sliceCount: 4, memorySizeMB: 40960 });
});

test('a GPU that is not MIG capable has no GPU instance profiles and no instances', () => {
  const spec = defaultSpec(1);
  spec.gpus[0].migCapable = false;
  const nvml = load(spec);
  expect(nvml.api.giProfile(nvml.gpu(0), 0, {})).toBe(NOT_SUPPORTED);
  expect(nvml.api.giById(nvml.gpu(0), 0, [null])).toBe(NOT_SUPPORTED);
});

test('compute instance profiles fit inside their GPU instance; unknown instance IDs are NOT_FOUND', () => {
  const nvml = load(a100MigSpec());
  const { giHandle } = profileIdsOf(nvml, 0, 1, 3, 0); // the 2g.20gb instance
  const offered = Array.from({ length: 9 }, (_, p) => p).filter(
    (p) => nvml.api.ciProfile(giHandle, p, 0, {}) === SUCCESS,
  );
  expect(offered).toEqual([0, 1]); // 1c and 2c in a 2g instance
  const half: Out = {};
  expect(nvml.api.ciProfile(giHandle, 0, 0, half)).toBe(SUCCESS);
  expect(half).toMatchObject({ id: 0, sliceCount: 1, instanceCount: 2, multiprocessorCount: 14 });
  expect(nvml.api.ciProfile(giHandle, 0, 1, {})).toBe(INVALID_ARGUMENT); // only the shared engine profile
  expect(nvml.api.ciById(giHandle, 5, [null])).toBe(NOT_FOUND);
  expect(nvml.api.giById(nvml.gpu(0), 42, [null])).toBe(NOT_FOUND);
});
