/**
 * The NVML functions the plugin uses, loaded with koffi (declarations in nvml-bindings.ts,
 * from NVIDIA's public nvml.h). Every call checks its return code and throws NvmlError, except where a code is an
 * expected answer (NOT_SUPPORTED, NOT_FOUND, TIMEOUT), which the wrapper turns into `undefined`.
 */
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { bind, type Bindings } from './nvml-bindings.js';

/** nvmlReturn_t values the plugin reacts to. */
export const NvmlReturn = {
  SUCCESS: 0,
  UNINITIALIZED: 1,
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NOT_FOUND: 6,
  INSUFFICIENT_SIZE: 7,
  DRIVER_NOT_LOADED: 9,
  TIMEOUT: 10,
  LIBRARY_NOT_FOUND: 12,
  GPU_IS_LOST: 15,
  UNKNOWN: 999,
} as const;

/** nvmlEventType bits. */
export const NvmlEventType = {
  SINGLE_BIT_ECC: 0x1n,
  DOUBLE_BIT_ECC: 0x2n,
  XID_CRITICAL: 0x8n,
} as const;

/** gpuInstanceId/computeInstanceId in nvmlEventData_t when the event is not tied to an instance. */
export const NO_INSTANCE = 0xffffffff;

export class NvmlError extends Error {
  constructor(
    readonly fn: string,
    readonly code: number,
    text: string,
  ) {
    super(`${fn} failed: ${text} (NVML error ${code})`);
    this.name = 'NvmlError';
  }
}

/** A device handle (nvmlDevice_t) as koffi represents pointers: a bigint. */
export type DeviceHandle = bigint;
export type EventSetHandle = bigint;

export interface PciInfo {
  domain: number;
  bus: number;
  device: number;
  /** `00000000:07:00.0` */
  busId: string;
}

export interface DeviceAttributes {
  multiprocessorCount: number;
  sharedCopyEngineCount: number;
  sharedDecoderCount: number;
  sharedEncoderCount: number;
  sharedJpegCount: number;
  sharedOfaCount: number;
  gpuInstanceSliceCount: number;
  computeInstanceSliceCount: number;
  memorySizeMB: number;
}

export interface EventData {
  /** Null when NVML could not attribute the event to a device. */
  device: DeviceHandle | null;
  eventType: bigint;
  /** The XID for XID events. */
  eventData: number;
  gpuInstanceId: number;
  computeInstanceId: number;
}

/** Buffer sizes from nvml.h (the v2 sizes, large enough for every product). */
const UUID_BUFFER = 96;
const NAME_BUFFER = 96;
const VERSION_BUFFER = 80;
/** NVML_NVLINK_MAX_LINKS */
export const NVLINK_MAX_LINKS = 36;

const cString = (buf: Buffer): string => {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
};

const toNumber = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

/** NVML calls running on a koffi worker thread right now, in every loaded library. */
let callsInFlight = 0;

/**
 * How many NVML calls run on worker threads right now. Node's exit joins those threads, so
 * with one blocked in `nvmlEventSetWait` a plain `process.exit` waits for it (cli.ts,
 * exitProcess, does not).
 */
export function nvmlCallsInFlight(): number {
  return callsInFlight;
}

/** Runs `start(done)`, which starts one koffi async call, counting it while it runs. */
function counted<T>(start: (done: (err: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    callsInFlight++;
    start((err, value) => {
      callsInFlight--;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(value);
    });
  });
}

/** One loaded libnvidia-ml. Methods mirror the NVML calls, minus the `nvml` prefix. */
export class Nvml {
  private readonly fns: Bindings;

  private constructor(private readonly lib: LibraryHandle) {
    this.fns = bind(lib);
  }

  /** Loads the library at `path` (a path, or a name for the dynamic loader to find). */
  static load(path: string): Nvml {
    return new Nvml(koffi.load(path));
  }

  /** Text for an NVML return code, from the library itself. */
  errorString(code: number): string {
    return String(this.fns.nvmlErrorString(code) ?? 'unknown error');
  }

  private check(fn: string, code: number, allowed: readonly number[] = []): number {
    if (code !== NvmlReturn.SUCCESS && !allowed.includes(code)) throw new NvmlError(fn, code, this.errorString(code));
    return code;
  }

  init(): void {
    this.check('nvmlInit_v2', this.fns.nvmlInit_v2());
  }

  shutdown(): void {
    this.check('nvmlShutdown', this.fns.nvmlShutdown());
  }

  /** Releases the library handle; call after shutdown. */
  unload(): void {
    this.lib.unload();
  }

  driverVersion(): string {
    const buf = Buffer.alloc(VERSION_BUFFER);
    this.check('nvmlSystemGetDriverVersion', this.fns.nvmlSystemGetDriverVersion(buf, buf.length));
    return cString(buf);
  }

  cudaDriverVersion(): number {
    const out = [0];
    this.check('nvmlSystemGetCudaDriverVersion_v2', this.fns.nvmlSystemGetCudaDriverVersion_v2(out));
    return out[0];
  }

  deviceCount(): number {
    const out = [0];
    this.check('nvmlDeviceGetCount_v2', this.fns.nvmlDeviceGetCount_v2(out));
    return out[0];
  }

  handleByIndex(index: number): DeviceHandle {
    const out: Array<DeviceHandle | null> = [null];
    this.check('nvmlDeviceGetHandleByIndex_v2', this.fns.nvmlDeviceGetHandleByIndex_v2(index, out));
    return out[0] as DeviceHandle;
  }

  /** The handle for a GPU or MIG UUID, or undefined when NVML knows no such device. */
  handleByUuid(uuid: string): DeviceHandle | undefined {
    const out: Array<DeviceHandle | null> = [null];
    const code = this.check('nvmlDeviceGetHandleByUUID', this.fns.nvmlDeviceGetHandleByUUID(uuid, out), [
      NvmlReturn.NOT_FOUND,
    ]);
    return code === NvmlReturn.SUCCESS ? (out[0] as DeviceHandle) : undefined;
  }

  index(device: DeviceHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetIndex', this.fns.nvmlDeviceGetIndex(device, out));
    return out[0];
  }

  uuid(device: DeviceHandle): string {
    const buf = Buffer.alloc(UUID_BUFFER);
    this.check('nvmlDeviceGetUUID', this.fns.nvmlDeviceGetUUID(device, buf, buf.length));
    return cString(buf);
  }

  name(device: DeviceHandle): string {
    const buf = Buffer.alloc(NAME_BUFFER);
    this.check('nvmlDeviceGetName', this.fns.nvmlDeviceGetName(device, buf, buf.length));
    return cString(buf);
  }

  /** Total memory in bytes. */
  memoryTotal(device: DeviceHandle): number {
    const out: { total?: number | bigint } = {};
    this.check('nvmlDeviceGetMemoryInfo', this.fns.nvmlDeviceGetMemoryInfo(device, out));
    return toNumber(out.total ?? 0);
  }

  /**
   * nvmlDeviceGetMemoryInfo on a koffi worker thread, resolving with its return code and
   * nothing else: the lost-GPU check's probe (GPU_IS_LOST once the GPU is gone).
   */
  memoryInfoCode(device: DeviceHandle): Promise<number> {
    return counted<number>((done) => this.fns.nvmlDeviceGetMemoryInfo.async(device, {}, done));
  }

  minorNumber(device: DeviceHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetMinorNumber', this.fns.nvmlDeviceGetMinorNumber(device, out));
    return out[0];
  }

  pciInfo(device: DeviceHandle): PciInfo {
    const out: Partial<PciInfo> = {};
    this.check('nvmlDeviceGetPciInfo_v3', this.fns.nvmlDeviceGetPciInfo_v3(device, out));
    return { domain: out.domain ?? 0, bus: out.bus ?? 0, device: out.device ?? 0, busId: out.busId ?? '' };
  }

  computeCapability(device: DeviceHandle): { major: number; minor: number } {
    const major = [0];
    const minor = [0];
    this.check('nvmlDeviceGetCudaComputeCapability', this.fns.nvmlDeviceGetCudaComputeCapability(device, major, minor));
    return { major: major[0], minor: minor[0] };
  }

  /** MIG mode, or undefined on a GPU that cannot do MIG. */
  migMode(device: DeviceHandle): { current: boolean; pending: boolean } | undefined {
    const current = [0];
    const pending = [0];
    const code = this.check('nvmlDeviceGetMigMode', this.fns.nvmlDeviceGetMigMode(device, current, pending), [
      NvmlReturn.NOT_SUPPORTED,
    ]);
    return code === NvmlReturn.SUCCESS ? { current: current[0] === 1, pending: pending[0] === 1 } : undefined;
  }

  maxMigDeviceCount(device: DeviceHandle): number {
    const out = [0];
    const code = this.check('nvmlDeviceGetMaxMigDeviceCount', this.fns.nvmlDeviceGetMaxMigDeviceCount(device, out), [
      NvmlReturn.NOT_SUPPORTED,
    ]);
    return code === NvmlReturn.SUCCESS ? out[0] : 0;
  }

  /** The MIG device at `index` under a GPU, or undefined when that slot is empty. */
  migDeviceHandle(device: DeviceHandle, index: number): DeviceHandle | undefined {
    const out: Array<DeviceHandle | null> = [null];
    const code = this.check(
      'nvmlDeviceGetMigDeviceHandleByIndex',
      this.fns.nvmlDeviceGetMigDeviceHandleByIndex(device, index, out),
      [NvmlReturn.NOT_FOUND],
    );
    return code === NvmlReturn.SUCCESS ? (out[0] as DeviceHandle) : undefined;
  }

  isMigDeviceHandle(device: DeviceHandle): boolean {
    const out = [0];
    this.check('nvmlDeviceIsMigDeviceHandle', this.fns.nvmlDeviceIsMigDeviceHandle(device, out));
    return out[0] === 1;
  }

  parentOfMigDevice(device: DeviceHandle): DeviceHandle {
    const out: Array<DeviceHandle | null> = [null];
    this.check(
      'nvmlDeviceGetDeviceHandleFromMigDeviceHandle',
      this.fns.nvmlDeviceGetDeviceHandleFromMigDeviceHandle(device, out),
    );
    return out[0] as DeviceHandle;
  }

  gpuInstanceId(device: DeviceHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetGpuInstanceId', this.fns.nvmlDeviceGetGpuInstanceId(device, out));
    return out[0];
  }

  computeInstanceId(device: DeviceHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetComputeInstanceId', this.fns.nvmlDeviceGetComputeInstanceId(device, out));
    return out[0];
  }

  attributes(device: DeviceHandle): DeviceAttributes {
    const out: Partial<Record<keyof DeviceAttributes, number | bigint>> = {};
    this.check('nvmlDeviceGetAttributes_v2', this.fns.nvmlDeviceGetAttributes_v2(device, out));
    const n = (k: keyof DeviceAttributes): number => toNumber(out[k] ?? 0);
    return {
      multiprocessorCount: n('multiprocessorCount'),
      sharedCopyEngineCount: n('sharedCopyEngineCount'),
      sharedDecoderCount: n('sharedDecoderCount'),
      sharedEncoderCount: n('sharedEncoderCount'),
      sharedJpegCount: n('sharedJpegCount'),
      sharedOfaCount: n('sharedOfaCount'),
      gpuInstanceSliceCount: n('gpuInstanceSliceCount'),
      computeInstanceSliceCount: n('computeInstanceSliceCount'),
      memorySizeMB: n('memorySizeMB'),
    };
  }

  /**
   * Whether NVLink `link` is active; undefined when the GPU has no NVLink or no such link.
   * Any error is an answer here: link numbering ends at a product-specific count.
   */
  nvlinkActive(device: DeviceHandle, link: number): boolean | undefined {
    const out = [0];
    const code = this.fns.nvmlDeviceGetNvLinkState(device, link, out);
    return code === NvmlReturn.SUCCESS ? out[0] === 1 : undefined;
  }

  /** PCI bus id at the far end of an active link, or undefined when NVML cannot say. */
  nvlinkRemoteBusId(device: DeviceHandle, link: number): string | undefined {
    const out: Partial<PciInfo> = {};
    const code = this.fns.nvmlDeviceGetNvLinkRemotePciInfo_v2(device, link, out);
    return code === NvmlReturn.SUCCESS ? out.busId : undefined;
  }

  /** nvmlGpuTopologyLevel_t between two GPUs. */
  commonAncestor(a: DeviceHandle, b: DeviceHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetTopologyCommonAncestor', this.fns.nvmlDeviceGetTopologyCommonAncestor(a, b, out));
    return out[0];
  }

  eventSetCreate(): EventSetHandle {
    const out: Array<EventSetHandle | null> = [null];
    this.check('nvmlEventSetCreate', this.fns.nvmlEventSetCreate(out));
    return out[0] as EventSetHandle;
  }

  /** Supported event mask; undefined when the device supports none (NOT_SUPPORTED). */
  supportedEventTypes(device: DeviceHandle): bigint | undefined {
    const out: Array<number | bigint> = [0];
    const code = this.check(
      'nvmlDeviceGetSupportedEventTypes',
      this.fns.nvmlDeviceGetSupportedEventTypes(device, out),
      [NvmlReturn.NOT_SUPPORTED],
    );
    return code === NvmlReturn.SUCCESS ? BigInt(out[0]) : undefined;
  }

  registerEvents(device: DeviceHandle, mask: bigint, set: EventSetHandle): void {
    this.check('nvmlDeviceRegisterEvents', this.fns.nvmlDeviceRegisterEvents(device, mask, set));
  }

  /**
   * Waits up to `timeoutMs` for an event on a worker thread (koffi async), so the event loop
   * keeps running. Resolves undefined on timeout.
   */
  eventSetWait(set: EventSetHandle, timeoutMs: number): Promise<EventData | undefined> {
    const out: {
      device?: bigint | null;
      eventType?: number | bigint;
      eventData?: number | bigint;
      gpuInstanceId?: number;
      computeInstanceId?: number;
    } = {};
    return counted<number>((done) => this.fns.nvmlEventSetWait_v2.async(set, out, timeoutMs, done)).then((code) => {
      if (code === NvmlReturn.TIMEOUT) return undefined;
      if (code !== NvmlReturn.SUCCESS) throw new NvmlError('nvmlEventSetWait_v2', code, this.errorString(code));
      return {
        device: out.device ? out.device : null,
        eventType: BigInt(out.eventType ?? 0),
        eventData: toNumber(out.eventData ?? 0),
        gpuInstanceId: out.gpuInstanceId ?? NO_INSTANCE,
        computeInstanceId: out.computeInstanceId ?? NO_INSTANCE,
      };
    });
  }

  eventSetFree(set: EventSetHandle): void {
    this.check('nvmlEventSetFree', this.fns.nvmlEventSetFree(set));
  }
}
