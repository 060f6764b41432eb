import { rmSync } from 'node:fs';
import { Nvml, NvmlError, NvmlEventType, NvmlReturn, NO_INSTANCE } from '../../../plugin/src/devices/nvml';
import {
  a100MigSpec,
  defaultSpec,
  gpuUuid,
  injectXid,
  migUuid,
  useFakeNvml,
  type FakeNvmlSpec,
} from '../helpers/fake-nvml';

let dirs: string[] = [];
let open: Nvml[] = [];
afterEach(() => {
  open.forEach((n) => n.shutdown());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  open = [];
  dirs = [];
});

function nvmlFor(spec: FakeNvmlSpec): { nvml: Nvml; eventsPath: string } {
  const fake = useFakeNvml(spec);
  dirs.push(fake.dir);
  const nvml = Nvml.load(fake.libraryPath);
  nvml.init();
  open.push(nvml);
  return { nvml, eventsPath: fake.eventsPath };
}

// Distinct values in every field show each one lands at nvml.h's offset.
describe('struct layouts', () => {
  test('nvmlPciInfo_t: domain, bus, device and busId', () => {
    const spec = defaultSpec(1);
    spec.gpus[0].pciBusId = '00000001:A3:1F.0';
    const { nvml } = nvmlFor(spec);
    expect(nvml.pciInfo(nvml.handleByIndex(0))).toEqual({
      domain: 1,
      bus: 0xa3,
      device: 0x1f,
      busId: '00000001:A3:1F.0',
    });
  });

  test('nvmlDeviceAttributes_t: every count and the 64-bit memory size', () => {
    const spec = a100MigSpec();
    spec.gpus[0].migDevices = [
      {
        uuid: migUuid(0, 0),
        gpuInstanceId: 5,
        computeInstanceId: 1,
        gpuInstanceSlices: 7,
        computeInstanceSlices: 8,
        memoryMiB: 6_000_000_000,
        multiprocessors: 1,
        copyEngines: 2,
        decoders: 3,
        encoders: 4,
        jpegs: 5,
        ofas: 6,
      },
    ];
    const { nvml } = nvmlFor(spec);
    const mig = nvml.migDeviceHandle(nvml.handleByIndex(0), 0)!;
    expect(nvml.attributes(mig)).toEqual({
      multiprocessorCount: 1,
      sharedCopyEngineCount: 2,
      sharedDecoderCount: 3,
      sharedEncoderCount: 4,
      sharedJpegCount: 5,
      sharedOfaCount: 6,
      gpuInstanceSliceCount: 7,
      computeInstanceSliceCount: 8,
      memorySizeMB: 6_000_000_000,
    });
  });

  test('nvmlMemory_t: total in bytes', () => {
    const { nvml } = nvmlFor(defaultSpec(1));
    expect(nvml.memoryTotal(nvml.handleByIndex(0))).toBe(81920 * 1024 * 1024);
  });

  test('nvmlEventData_t: device, type, XID and instance ids', async () => {
    const { nvml, eventsPath } = nvmlFor(a100MigSpec());
    const set = nvml.eventSetCreate();
    const gpu = nvml.handleByIndex(0);
    nvml.registerEvents(gpu, NvmlEventType.XID_CRITICAL, set);
    injectXid(eventsPath, migUuid(0, 1), 94);
    const e = await nvml.eventSetWait(set, 1000);
    nvml.eventSetFree(set);
    expect(e).toEqual({
      device: gpu,
      eventType: NvmlEventType.XID_CRITICAL,
      eventData: 94,
      gpuInstanceId: 3,
      computeInstanceId: 0,
    });
  });
});

describe('return codes', () => {
  test('throws NvmlError with the function, the code and NVML’s text', () => {
    const { nvml } = nvmlFor(defaultSpec(1));
    let error: unknown;
    try {
      nvml.handleByIndex(5);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NvmlError);
    expect(error).toMatchObject({ fn: 'nvmlDeviceGetHandleByIndex_v2', code: NvmlReturn.INVALID_ARGUMENT });
    expect((error as Error).message).toBe('nvmlDeviceGetHandleByIndex_v2 failed: Invalid Argument (NVML error 2)');
  });

  test.each([
    ['an unknown UUID', (n: Nvml) => n.handleByUuid('GPU-00000000-0000-0000-0000-000000000000')],
    ['MIG mode of a GPU without MIG', (n: Nvml) => n.migMode(n.handleByIndex(1))],
    ['an empty MIG slot', (n: Nvml) => n.migDeviceHandle(n.handleByIndex(0), 6)],
    ['an NVLink on a GPU without NVLink', (n: Nvml) => n.nvlinkActive(n.handleByIndex(0), 0)],
  ])('answers undefined for %s', (_what, call) => {
    const spec = a100MigSpec();
    spec.gpus[1].migCapable = false;
    const { nvml } = nvmlFor(spec);
    expect(call(nvml)).toBeUndefined();
  });

  test('finds GPUs and MIG devices by UUID', () => {
    const { nvml } = nvmlFor(a100MigSpec());
    expect(nvml.handleByUuid(gpuUuid(1))).toBe(nvml.handleByIndex(1));
    const mig = nvml.handleByUuid(migUuid(0, 3))!;
    expect([nvml.isMigDeviceHandle(mig), nvml.parentOfMigDevice(mig), nvml.gpuInstanceId(mig)]).toEqual([
      true,
      nvml.handleByIndex(0),
      10,
    ]);
  });

  test('resolves an event wait that times out as undefined', async () => {
    const { nvml } = nvmlFor(defaultSpec(1));
    const set = nvml.eventSetCreate();
    nvml.registerEvents(nvml.handleByIndex(0), NvmlEventType.XID_CRITICAL, set);
    await expect(nvml.eventSetWait(set, 20)).resolves.toBeUndefined();
    nvml.eventSetFree(set);
  });

  test('reports an event with no device as device null and no instance', async () => {
    const { nvml, eventsPath } = nvmlFor(defaultSpec(1));
    const set = nvml.eventSetCreate();
    nvml.registerEvents(nvml.handleByIndex(0), NvmlEventType.XID_CRITICAL, set);
    injectXid(eventsPath, '*', 79);
    const e = await nvml.eventSetWait(set, 1000);
    nvml.eventSetFree(set);
    expect(e).toMatchObject({
      device: null,
      eventData: 79,
      gpuInstanceId: NO_INSTANCE,
      computeInstanceId: NO_INSTANCE,
    });
  });
});
