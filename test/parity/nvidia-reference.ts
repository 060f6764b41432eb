/**
 * What NVIDIA's k8s-device-plugin v0.20.0 answers for a parity scenario, written down from
 * its public source (paths below are in NVIDIA/k8s-device-plugin) because the Go module
 * proxy reachable here refuses to serve that module (test/tools/nvidia-plugin.sh records
 * the exact refusal). Each rule names where it comes from; `npm run parity:live` checks
 * this record against the real binary wherever that can be built.
 *
 * Only the features the scenarios use are modelled: whole GPUs, MIG mixed, time-slicing,
 * the four deviceListStrategies, deviceIDStrategy, passDeviceSpecs. No host device node
 * (/dev/nvidiactl, …) exists on the test machines, so the optional control nodes are absent.
 */
import type { FakeGpuSpec, FakeNvmlSpec } from '../plugin/helpers/fake-nvml';
import type { CallRecord, ContainerRecord, DeviceRecord, ParityRecord, ResourceRecord } from './record';
import { DRIVER_ROOT, RESPONSE_ID } from './record';
import type { AllocateCall, Scenario } from './scenarios';

interface RefDevice {
  /** Advertised ID: a UUID, or `<uuid>::<n>` for a replica (internal/rm/devices.go NewAnnotatedID). */
  id: string;
  uuid: string;
  /** `i` for GPU i, `i:j` for MIG device j of GPU i (internal/rm/nvml_devices.go). */
  index: string;
  numa: number | undefined;
  /** /dev paths (nvml_devices.go GetPaths): /dev/nvidia<minor>, plus the two MIG capability nodes. */
  paths: string[];
}

interface RefResource {
  name: string;
  devices: RefDevice[];
}

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CDI_KIND = 'k8s.device-plugin.nvidia.com/gpu';

/**
 * "1g.10gb": go-nvlib (pkg/nvlib/device mig_profile.go) rounds the MIG memory up to eighths
 * of the parent's memory and scales by the parent's size in whole GiB, which is how an
 * A100-80GB's 9856 MiB slice is called 10gb (NVIDIA's documented profile names).
 */
function migProfile(slices: number, memoryMiB: number, parentMiB: number): string {
  const eighths = Math.ceil(((memoryMiB / parentMiB) * 8) - 1e-9) / 8;
  return `${slices}g.${Math.round(eighths * Math.ceil(parentMiB / 1024))}gb`;
}

/** MIG capability device minors, in the order fake-node.ts writes mig-minors. */
function migCapMinors(spec: FakeNvmlSpec): Map<string, [number, number]> {
  const minors = new Map<string, [number, number]>();
  let next = 1;
  for (const gpu of spec.gpus) for (const mig of gpu.migDevices ?? []) minors.set(mig.uuid, [next++, next++]);
  return minors;
}

function gpuDevice(gpu: FakeGpuSpec, i: number): RefDevice {
  return { id: gpu.uuid, uuid: gpu.uuid, index: String(i), numa: gpu.numaNode, paths: [`/dev/nvidia${gpu.minor ?? i}`] };
}

/**
 * internal/rm/rm.go AddDefaultResourcesToConfig + device_map.go: every GPU is
 * nvidia.com/gpu under `none`; under `mixed` MIG-enabled GPUs give their MIG devices to
 * nvidia.com/mig-<profile> and the others stay nvidia.com/gpu. Empty resources are not served.
 */
function baseResources(spec: FakeNvmlSpec, config: Config): RefResource[] {
  const mixed = config.flags?.migStrategy === 'mixed';
  const caps = migCapMinors(spec);
  const byName = new Map<string, RefDevice[]>();
  const add = (name: string, d: RefDevice): void => {
    byName.set(name, [...(byName.get(name) ?? []), d]);
  };
  spec.gpus.forEach((gpu, i) => {
    if (!(mixed && gpu.migEnabled)) return add('nvidia.com/gpu', gpuDevice(gpu, i));
    (gpu.migDevices ?? []).forEach((mig, j) => {
      const [gi, ci] = caps.get(mig.uuid)!;
      add(`nvidia.com/mig-${migProfile(mig.gpuInstanceSlices, mig.memoryMiB, gpu.memoryMiB)}`, {
        id: mig.uuid,
        uuid: mig.uuid,
        index: `${i}:${mig.slot ?? j}`,
        numa: gpu.numaNode,
        paths: [`/dev/nvidia${gpu.minor ?? i}`, `/dev/nvidia-caps/nvidia-cap${gi}`, `/dev/nvidia-caps/nvidia-cap${ci}`],
      });
    });
  });
  return [...byName].map(([name, devices]) => ({ name, devices }));
}

/**
 * internal/rm/device_map.go updateDeviceMapWithReplicas: each device of a shared resource
 * becomes `replicas` devices `<id>::0..n-1`; the name gets `.shared` with renameByDefault
 * (api/config/v1/replicas.go; `rename` and `devices` are stripped there).
 */
function applyTimeSlicing(resources: RefResource[], config: Config): RefResource[] {
  const ts = config.sharing?.timeSlicing;
  if (!ts) return resources;
  return resources.map((r) => {
    const rule = (ts.resources as Array<{ name: string; replicas: number }>).find((x) => x.name === r.name);
    if (!rule) return r;
    const devices = r.devices.flatMap((d) => Array.from({ length: rule.replicas }, (_, n) => ({ ...d, id: `${d.id}::${n}` })));
    return { name: ts.renameByDefault ? `${r.name}.shared` : r.name, devices };
  });
}

function resourceRecord(r: RefResource): ResourceRecord {
  // internal/plugin/server.go: socket nvidia-<name>.sock; Register and GetDevicePluginOptions
  // both say GetPreferredAllocationAvailable=true, PreStartRequired=false.
  const options = { pre_start_required: false, get_preferred_allocation_available: true };
  const devices: DeviceRecord[] = r.devices
    .map((d) => ({ ID: d.id, health: 'Healthy', numa: d.numa === undefined || d.numa < 0 ? null : [d.numa] }))
    .sort((a, b) => a.ID.localeCompare(b.ID));
  return { name: r.name, endpoint: `nvidia-${r.name.replace(/^nvidia\.com\//, '')}.sock`, version: 'v1beta1', registerOptions: options, options, devices };
}

function strategies(config: Config): string[] {
  const s = config.flags?.plugin?.deviceListStrategy ?? 'envvar';
  return Array.isArray(s) ? s : [s];
}

/** internal/rm/rm.go ValidateRequest, wrapped by server.go Allocate; a plain Go error is gRPC UNKNOWN. */
function validationError(r: RefResource, call: AllocateCall, config: Config): string | undefined {
  const known = new Set(r.devices.map((d) => d.id));
  const unknown = call.ids.find((id) => !known.has(id));
  const prefix = `invalid allocation request for "${r.name}": invalid request`;
  if (unknown !== undefined) return `${prefix}: unknown device: ${unknown}`;
  const ts = config.sharing?.timeSlicing;
  if (ts?.failRequestsGreaterThanOne && call.ids.length > 1 && call.ids.some((id) => id.includes('::'))) {
    return `${prefix}: maximum request size for shared resources is 1; found ${call.ids.length}`;
  }
  return undefined;
}

/** internal/plugin/server.go getAllocateResponse. */
function allocateResponse(r: RefResource, call: AllocateCall, config: Config): ContainerRecord {
  const byId = new Map(r.devices.map((d) => [d.id, d]));
  const requested = call.ids.map((id) => byId.get(id)!);
  // deviceIDsFromAnnotatedDeviceIDs: uuid → the IDs without `::n`, duplicates kept;
  // index → Devices.Subset(ids).GetIndices(), one per requested (annotated) ID.
  const ids = config.flags?.plugin?.deviceIDStrategy === 'index' ? requested.map((d) => d.index) : requested.map((d) => d.uuid);
  const list = strategies(config);
  const out: ContainerRecord = {};
  const cdiNames = ids.map((id) => `${CDI_KIND}=${id}`);
  if (list.includes('cdi-annotations')) {
    out.annotations = { [`cdi.k8s.io/nvidia-device-plugin_${RESPONSE_ID}`]: [...cdiNames].sort().join(',') };
  }
  if (list.includes('cdi-cri')) out.cdi_devices = [...cdiNames].sort();
  if (list.every((s) => s === 'cdi-annotations' || s === 'cdi-cri')) return out;
  const envs: Record<string, string> = {};
  if (list.includes('envvar')) envs.NVIDIA_VISIBLE_DEVICES = [...ids].sort().join(',');
  if (list.includes('volume-mounts')) {
    envs.NVIDIA_VISIBLE_DEVICES = '/var/run/nvidia-container-devices';
    out.mounts = ids
      .map((id) => ({ container_path: `/var/run/nvidia-container-devices/${id}`, host_path: '/dev/null', read_only: false }))
      .sort((a, b) => a.container_path.localeCompare(b.container_path));
  }
  if (config.flags?.plugin?.passDeviceSpecs) {
    // apiDeviceSpecs: every path of the requested devices, host path under the dev root (= driver root).
    out.devices = requested
      .flatMap((d) => d.paths)
      .map((p) => ({ container_path: p, host_path: `${DRIVER_ROOT}${p}`, permissions: 'rw' }))
      .sort((a, b) => a.container_path.localeCompare(b.container_path));
  }
  if (Object.keys(envs).length > 0) out.envs = envs;
  return out;
}

/** NVIDIA's record for a scenario; host paths under the driver root read `<driver-root>/…`. */
export function nvidiaReference(scenario: Scenario): ParityRecord {
  const resources = applyTimeSlicing(baseResources(scenario.spec, scenario.config), scenario.config);
  const byName = new Map(resources.map((r) => [r.name, r]));
  const ordered = [
    ...scenario.resources.map((n) => byName.get(n)).filter((r): r is RefResource => r !== undefined),
    ...resources.filter((r) => !scenario.resources.includes(r.name)).sort((a, b) => a.name.localeCompare(b.name)),
  ];
  const allocate: CallRecord[] = scenario.allocate.map((call) => {
    const r = byName.get(call.resource);
    if (!r) throw new Error(`scenario ${scenario.name} calls ${call.resource}, which NVIDIA's plugin would not serve`);
    const message = validationError(r, call, scenario.config);
    if (message !== undefined) return { resource: call.resource, ids: call.ids, error: { code: 'UNKNOWN', message } };
    return { resource: call.resource, ids: call.ids, response: [allocateResponse(r, call, scenario.config)] };
  });
  return { scenario: scenario.name, resources: ordered.map(resourceRecord), allocate };
}
