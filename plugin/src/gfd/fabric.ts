/**
 * The NVLink fabric clique of the node's GPUs (GB200/GB300 NVL and H100/H200 NVSwitch
 * systems), GFD's `nvidia.com/gpu.clique` = `<cluster UUID>.<clique ID>`: read with
 * nvmlDeviceGetGpuFabricInfo, as go-nvlib's IsFabricAttached and GFD's getFabricIDs do.
 * Opens the NVML library the device source already loaded (the same handle) and takes its
 * own init/shutdown pair (NVML counts them); a library without the function has no fabric.
 */
import koffi from 'koffi';

const NVML_SUCCESS = 0;
const NVML_ERROR_NOT_SUPPORTED = 3;
const GPU_FABRIC_STATE_COMPLETED = 3;

const fabricInfo = koffi.struct({
  clusterUuid: koffi.array('uint8', 16, 'Array'),
  status: 'uint',
  cliqueId: 'uint',
  state: 'uint8',
});
const nvmlDevice = koffi.pointer(koffi.opaque());

function uuidString(bytes: number[]): string {
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `<cluster UUID>.<clique ID>` when every fabric-attached GPU agrees on both; undefined when
 * none is attached or they disagree (GFD then writes no clique label). Throws when NVML
 * fails for a GPU (GFD fails then too).
 */
export function readClique(libraryPath: string, gpuUuids: readonly string[]): string | undefined {
  const lib = koffi.load(libraryPath);
  let getInfo: ReturnType<typeof lib.func>;
  try {
    getInfo = lib.func('nvmlDeviceGetGpuFabricInfo', 'int', [nvmlDevice, koffi.out(koffi.pointer(fabricInfo))]);
  } catch {
    return undefined;
  }
  const init = lib.func('nvmlInit_v2', 'int', []);
  const shutdown = lib.func('nvmlShutdown', 'int', []);
  const byUuid = lib.func('nvmlDeviceGetHandleByUUID', 'int', ['const char *', koffi.out(koffi.pointer(nvmlDevice))]);
  const ret = init() as number;
  if (ret !== NVML_SUCCESS) throw new Error(`nvmlInit_v2 returned ${ret} while reading the GPU fabric`);
  try {
    const clusters = new Set<string>();
    const cliques = new Set<string>();
    for (const uuid of gpuUuids) {
      const handle = [null];
      const r = byUuid(uuid, handle) as number;
      if (r !== NVML_SUCCESS)
        throw new Error(`nvmlDeviceGetHandleByUUID(${uuid}) returned ${r} while reading the GPU fabric`);
      const info: { clusterUuid: number[]; status: number; cliqueId: number; state: number }[] = [
        { clusterUuid: [], status: 0, cliqueId: 0, state: 0 },
      ];
      const got = getInfo(handle[0], info) as number;
      if (got === NVML_ERROR_NOT_SUPPORTED) continue;
      if (got !== NVML_SUCCESS) throw new Error(`nvmlDeviceGetGpuFabricInfo(${uuid}) returned ${got}`);
      const { clusterUuid, status, cliqueId, state } = info[0];
      if (state !== GPU_FABRIC_STATE_COMPLETED || clusterUuid.every((b) => b === 0) || status !== NVML_SUCCESS)
        continue;
      clusters.add(uuidString(clusterUuid));
      cliques.add(String(cliqueId));
    }
    if (clusters.size !== 1 || cliques.size !== 1) return undefined;
    return `${[...clusters][0]}.${[...cliques][0]}`;
  } finally {
    shutdown();
  }
}
