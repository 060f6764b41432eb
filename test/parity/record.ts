/**
 * What a parity run keeps of a plugin's behaviour, normalised so that two plugins can be
 * compared field by field: per resource its registration, options and device list; per
 * Allocate call its response or its error. Normalisation removes only what the API leaves
 * free: the random CDI response id, list order (NVIDIA's comes from Go map iteration) and
 * empty proto fields.
 */
import type {
  AllocateResponse,
  ApiDevice,
  DevicePluginOptions,
  RegisterRequest,
} from '../../plugin/src/kubelet/api-types';

export interface DeviceRecord {
  ID: string;
  health: string;
  /** NUMA node IDs of the topology hint; null when the device has none. */
  numa: number[] | null;
}

export interface ResourceRecord {
  name: string;
  endpoint: string;
  version: string;
  registerOptions: DevicePluginOptions | null;
  options: DevicePluginOptions;
  devices: DeviceRecord[];
}

export interface ContainerRecord {
  envs?: Record<string, string>;
  mounts?: Array<{ container_path: string; host_path: string; read_only: boolean }>;
  devices?: Array<{ container_path: string; host_path: string; permissions: string }>;
  annotations?: Record<string, string>;
  cdi_devices?: string[];
}

export interface CallRecord {
  resource: string;
  ids: string[];
  response?: ContainerRecord[];
  /** gRPC status name (e.g. INVALID_ARGUMENT) and message. */
  error?: { code: string; message: string };
}

export interface ParityRecord {
  scenario: string;
  resources: ResourceRecord[];
  allocate: CallRecord[];
}

/** The CDI response id NVIDIA draws per call (a UUID); replaced so runs compare equal. */
export const RESPONSE_ID = '<response-id>';

/** Stands for the fake node's driver root in host paths. */
export const DRIVER_ROOT = '<driver-root>';

const sortList = (value: string): string => value.split(',').sort().join(',');

/** Env values and CDI annotation values that are comma-separated device lists. */
const LIST_ENVS = new Set(['NVIDIA_VISIBLE_DEVICES']);

export function normaliseDevice(d: ApiDevice): DeviceRecord {
  const nodes = d.topology?.nodes ?? [];
  return { ID: d.ID, health: d.health, numa: nodes.length === 0 ? null : nodes.map((n) => Number(n.ID)).sort() };
}

export function normaliseResource(
  registration: RegisterRequest,
  options: DevicePluginOptions,
  devices: ApiDevice[],
): ResourceRecord {
  return {
    name: registration.resource_name,
    endpoint: registration.endpoint,
    version: registration.version,
    registerOptions: registration.options,
    options,
    devices: devices.map(normaliseDevice).sort((a, b) => a.ID.localeCompare(b.ID)),
  };
}

function sortedObject(obj: Record<string, string>, value: (k: string, v: string) => string): Record<string, string> {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, value(k, obj[k])]),
  );
}

/** CDI annotation keys end in `_<response id>` (cdi.k8s.io/nvidia-device-plugin_<uuid>). */
function normaliseAnnotationKey(key: string): string {
  const at = key.lastIndexOf('_');
  return at < 0 ? key : `${key.slice(0, at + 1)}${RESPONSE_ID}`;
}

export function normaliseAllocate(response: AllocateResponse): ContainerRecord[] {
  return response.container_responses.map((c) => {
    const out: ContainerRecord = {};
    if (c.envs && Object.keys(c.envs).length > 0) {
      out.envs = sortedObject(c.envs, (k, v) => (LIST_ENVS.has(k) ? sortList(v) : v));
    }
    if (c.mounts?.length) {
      out.mounts = c.mounts
        .map((m) => ({ container_path: m.container_path, host_path: m.host_path, read_only: m.read_only }))
        .sort((a, b) => a.container_path.localeCompare(b.container_path));
    }
    if (c.devices?.length) {
      out.devices = c.devices
        .map((d) => ({ container_path: d.container_path, host_path: d.host_path, permissions: d.permissions }))
        .sort((a, b) => a.container_path.localeCompare(b.container_path));
    }
    if (c.annotations && Object.keys(c.annotations).length > 0) {
      const renamed = Object.fromEntries(Object.entries(c.annotations).map(([k, v]) => [normaliseAnnotationKey(k), v]));
      out.annotations = sortedObject(renamed, (_k, v) => sortList(v));
    }
    if (c.cdi_devices?.length) out.cdi_devices = c.cdi_devices.map((d) => d.name).sort();
    return out;
  });
}
