/**
 * Builds the ContainerAllocateResponse for one container, field for field as NVIDIA's
 * plugin (internal/plugin/server.go getAllocateResponse) does for the same devices and
 * config, so the two plugins can replace each other on a node.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { PluginConfig } from '../config/types.js';
import type { AdvertisedDevice, AdvertisedResource } from '../devices/types.js';
import type { ContainerAllocateResponse, Mount } from '../kubelet/api-types.js';
import { cdiAnnotations, cdiQualifiedName } from './cdi.js';
import { deviceSpecs, type NodeExists } from './device-specs.js';
import { validateAllocateRequest } from './request-validation.js';

export const VISIBLE_DEVICES_ENV = 'NVIDIA_VISIBLE_DEVICES';
export const IMEX_CHANNELS_ENV = 'NVIDIA_IMEX_CHANNELS';
/** volume-mounts: the runtime reads device IDs from mount names under this directory. */
export const VOLUME_MOUNTS_ROOT = '/var/run/nvidia-container-devices';
export const VOLUME_MOUNTS_HOST_PATH = '/dev/null';
/** Where NVIDIA's MPS control daemon is mounted in the container. */
export const MPS_CONTAINER_ROOT = '/mps';

export interface AllocateInput {
  resource: AdvertisedResource;
  config: PluginConfig;
  /** Device IDs exactly as the kubelet sent them (replica suffixes included). */
  requestIds: readonly string[];
  /** The UUID in the CDI annotation key; random per response like NVIDIA's. Injectable for tests. */
  newResponseId?: () => string;
  /** Device node existence check for passDeviceSpecs. Injectable for tests. */
  nodeExists?: NodeExists;
}

function emptyResponse(): ContainerAllocateResponse {
  return { envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [] };
}

/** IDs the container runtime sees: UUIDs or NVIDIA indices (`3`, `3:1`). */
function visibleIds(devices: readonly AdvertisedDevice[], config: PluginConfig): string[] {
  return devices.map((d) => (config.flags.plugin.deviceIDStrategy === 'index' ? d.index : d.uuid));
}

function addCdi(response: ContainerAllocateResponse, ids: readonly string[], input: AllocateInput): void {
  const { flags, imex } = input.config;
  const strategies = flags.plugin.deviceListStrategy;
  const names = ids.map((id) => cdiQualifiedName('gpu', id));
  for (const channel of imex.channelIDs) names.push(cdiQualifiedName('imex-channel', String(channel)));
  // Same order as NVIDIA's additional CDI modes.
  if (flags.gdrcopyEnabled) names.push(cdiQualifiedName('gdrcopy', 'all'));
  if (flags.gdsEnabled) names.push(cdiQualifiedName('gds', 'all'));
  if (flags.mofedEnabled) names.push(cdiQualifiedName('mofed', 'all'));
  if (names.length === 0) return;
  if (strategies.includes('cdi-annotations')) {
    const responseId = (input.newResponseId ?? randomUUID)();
    response.annotations = cdiAnnotations(flags.plugin.cdiAnnotationPrefix, responseId, names);
  }
  if (strategies.includes('cdi-cri')) {
    response.cdi_devices = names.map((name) => ({ name }));
  }
}

function addMps(response: ContainerAllocateResponse, input: AllocateInput): void {
  const resourceName = input.resource.name;
  const mpsRoot = input.config.flags.mpsRoot;
  const pipeDir = path.posix.join(MPS_CONTAINER_ROOT, resourceName, 'pipe');
  response.envs.CUDA_MPS_PIPE_DIRECTORY = pipeDir;
  response.mounts.push(
    { container_path: pipeDir, host_path: path.posix.join(mpsRoot, resourceName, 'pipe'), read_only: false },
    { container_path: '/dev/shm', host_path: path.posix.join(mpsRoot, 'shm'), read_only: false },
  );
}

function addVolumeMounts(
  response: ContainerAllocateResponse,
  ids: readonly string[],
  imexChannels: readonly number[],
): void {
  response.envs[VISIBLE_DEVICES_ENV] = VOLUME_MOUNTS_ROOT;
  const mount = (containerPath: string): Mount => ({
    container_path: containerPath,
    host_path: VOLUME_MOUNTS_HOST_PATH,
    read_only: false,
  });
  for (const id of ids) response.mounts.push(mount(path.posix.join(VOLUME_MOUNTS_ROOT, id)));
  for (const channel of imexChannels)
    response.mounts.push(mount(path.posix.join(VOLUME_MOUNTS_ROOT, 'imex', String(channel))));
}

/**
 * Validates the request (RequestError / INVALID_ARGUMENT naming the IDs) and builds the
 * response for every configured device-list strategy.
 */
export function buildAllocateResponse(input: AllocateInput): ContainerAllocateResponse {
  const { config, resource } = input;
  const devices = validateAllocateRequest(resource, input.requestIds);
  const ids = visibleIds(devices, config);
  const strategies = config.flags.plugin.deviceListStrategy;
  const response = emptyResponse();

  if (strategies.some((s) => s === 'cdi-annotations' || s === 'cdi-cri')) addCdi(response, ids, input);
  if (resource.sharing === 'mps') addMps(response, input);

  // With only CDI strategies the runtime injects everything from the CDI spec: no
  // env var, mount or device node must compete with it.
  if (strategies.every((s) => s === 'cdi-annotations' || s === 'cdi-cri')) return response;

  const imexChannels = config.imex.channelIDs;
  if (strategies.includes('envvar')) {
    response.envs[VISIBLE_DEVICES_ENV] = ids.join(',');
    if (imexChannels.length > 0) response.envs[IMEX_CHANNELS_ENV] = imexChannels.join(',');
  }
  if (strategies.includes('volume-mounts')) addVolumeMounts(response, ids, imexChannels);
  if (config.flags.plugin.passDeviceSpecs) {
    response.devices.push(...deviceSpecs(devices, config.flags.nvidiaDevRoot, imexChannels, input.nodeExists));
  }
  if (config.flags.gdrcopyEnabled) response.envs.NVIDIA_GDRCOPY = 'enabled';
  if (config.flags.gdsEnabled) response.envs.NVIDIA_GDS = 'enabled';
  if (config.flags.mofedEnabled) response.envs.NVIDIA_MOFED = 'enabled';
  return response;
}
