/**
 * koffi declarations of the NVML functions the plugin calls: struct layouts and signatures
 * from NVIDIA's public nvml.h. Only nvml.ts uses them; it wraps each call with its checks.
 */
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';

// Anonymous types: koffi's type names are process-wide, and a module can be evaluated more
// than once in one process (test runners), so named types would collide.
const nvmlDevice = koffi.pointer(koffi.opaque());
const nvmlEventSet = koffi.pointer(koffi.opaque());
const pciInfo = koffi.struct({
  busIdLegacy: koffi.array('char', 16, 'String'),
  domain: 'uint',
  bus: 'uint',
  device: 'uint',
  pciDeviceId: 'uint',
  pciSubSystemId: 'uint',
  busId: koffi.array('char', 32, 'String'),
});
const memory = koffi.struct({ total: 'uint64', free: 'uint64', used: 'uint64' });
const attributes = koffi.struct({
  multiprocessorCount: 'uint',
  sharedCopyEngineCount: 'uint',
  sharedDecoderCount: 'uint',
  sharedEncoderCount: 'uint',
  sharedJpegCount: 'uint',
  sharedOfaCount: 'uint',
  gpuInstanceSliceCount: 'uint',
  computeInstanceSliceCount: 'uint',
  memorySizeMB: 'uint64',
});
const eventData = koffi.struct({
  device: nvmlDevice,
  eventType: 'uint64',
  eventData: 'uint64',
  gpuInstanceId: 'uint',
  computeInstanceId: 'uint',
});
const outUint = koffi.out(koffi.pointer('uint'));
const outInt = koffi.out(koffi.pointer('int'));
const outU64 = koffi.out(koffi.pointer('uint64'));
const outDevice = koffi.out(koffi.pointer(nvmlDevice));

type Fn = ReturnType<LibraryHandle['func']>;
type TypeSpec = Parameters<typeof koffi.sizeof>[0];

export function bind(lib: LibraryHandle) {
  const f = (name: string, args: TypeSpec[], result: TypeSpec = 'int'): Fn => lib.func(name, result, args);
  return {
    nvmlInit_v2: f('nvmlInit_v2', []),
    nvmlShutdown: f('nvmlShutdown', []),
    nvmlErrorString: f('nvmlErrorString', ['int'], 'const char *'),
    nvmlSystemGetDriverVersion: f('nvmlSystemGetDriverVersion', ['char *', 'uint']),
    nvmlSystemGetCudaDriverVersion_v2: f('nvmlSystemGetCudaDriverVersion_v2', [outInt]),
    nvmlDeviceGetCount_v2: f('nvmlDeviceGetCount_v2', [outUint]),
    nvmlDeviceGetHandleByIndex_v2: f('nvmlDeviceGetHandleByIndex_v2', ['uint', outDevice]),
    nvmlDeviceGetHandleByUUID: f('nvmlDeviceGetHandleByUUID', ['const char *', outDevice]),
    nvmlDeviceGetIndex: f('nvmlDeviceGetIndex', [nvmlDevice, outUint]),
    nvmlDeviceGetUUID: f('nvmlDeviceGetUUID', [nvmlDevice, 'char *', 'uint']),
    nvmlDeviceGetName: f('nvmlDeviceGetName', [nvmlDevice, 'char *', 'uint']),
    nvmlDeviceGetMemoryInfo: f('nvmlDeviceGetMemoryInfo', [nvmlDevice, koffi.out(koffi.pointer(memory))]),
    nvmlDeviceGetMinorNumber: f('nvmlDeviceGetMinorNumber', [nvmlDevice, outUint]),
    nvmlDeviceGetPciInfo_v3: f('nvmlDeviceGetPciInfo_v3', [nvmlDevice, koffi.out(koffi.pointer(pciInfo))]),
    nvmlDeviceGetCudaComputeCapability: f('nvmlDeviceGetCudaComputeCapability', [nvmlDevice, outInt, outInt]),
    nvmlDeviceGetMigMode: f('nvmlDeviceGetMigMode', [nvmlDevice, outUint, outUint]),
    nvmlDeviceGetMaxMigDeviceCount: f('nvmlDeviceGetMaxMigDeviceCount', [nvmlDevice, outUint]),
    nvmlDeviceGetMigDeviceHandleByIndex: f('nvmlDeviceGetMigDeviceHandleByIndex', [nvmlDevice, 'uint', outDevice]),
    nvmlDeviceIsMigDeviceHandle: f('nvmlDeviceIsMigDeviceHandle', [nvmlDevice, outUint]),
    nvmlDeviceGetDeviceHandleFromMigDeviceHandle: f('nvmlDeviceGetDeviceHandleFromMigDeviceHandle', [
      nvmlDevice,
      outDevice,
    ]),
    nvmlDeviceGetGpuInstanceId: f('nvmlDeviceGetGpuInstanceId', [nvmlDevice, outUint]),
    nvmlDeviceGetComputeInstanceId: f('nvmlDeviceGetComputeInstanceId', [nvmlDevice, outUint]),
    nvmlDeviceGetAttributes_v2: f('nvmlDeviceGetAttributes_v2', [nvmlDevice, koffi.out(koffi.pointer(attributes))]),
    nvmlDeviceGetNvLinkState: f('nvmlDeviceGetNvLinkState', [nvmlDevice, 'uint', outInt]),
    nvmlDeviceGetNvLinkRemotePciInfo_v2: f('nvmlDeviceGetNvLinkRemotePciInfo_v2', [
      nvmlDevice,
      'uint',
      koffi.out(koffi.pointer(pciInfo)),
    ]),
    nvmlDeviceGetTopologyCommonAncestor: f('nvmlDeviceGetTopologyCommonAncestor', [nvmlDevice, nvmlDevice, outInt]),
    nvmlEventSetCreate: f('nvmlEventSetCreate', [koffi.out(koffi.pointer(nvmlEventSet))]),
    nvmlDeviceGetSupportedEventTypes: f('nvmlDeviceGetSupportedEventTypes', [nvmlDevice, outU64]),
    nvmlDeviceRegisterEvents: f('nvmlDeviceRegisterEvents', [nvmlDevice, 'uint64', nvmlEventSet]),
    nvmlEventSetWait_v2: f('nvmlEventSetWait_v2', [nvmlEventSet, koffi.out(koffi.pointer(eventData)), 'uint']),
    nvmlEventSetFree: f('nvmlEventSetFree', [nvmlEventSet]),
  };
}

export type Bindings = ReturnType<typeof bind>;
