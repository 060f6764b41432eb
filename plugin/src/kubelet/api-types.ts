/**
 * TypeScript shapes of the v1beta1 messages as @grpc/proto-loader hands them over with
 * the options in api-proto.ts: field names exactly as in api.proto (keepCase), int64
 * as number, and every field present (defaults: true), so repeated fields are arrays.
 */
import type * as grpc from '@grpc/grpc-js';

export const API_VERSION = 'v1beta1';
export const HEALTHY = 'Healthy';
export const UNHEALTHY = 'Unhealthy';

export type Empty = Record<string, never>;

export interface DevicePluginOptions {
  pre_start_required: boolean;
  get_preferred_allocation_available: boolean;
}

export interface RegisterRequest {
  version: string;
  endpoint: string;
  resource_name: string;
  options: DevicePluginOptions | null;
}

export interface NUMANode {
  /** int64 on the wire; NUMA node numbers are small, so a number is exact. */
  ID: number;
}

export interface TopologyInfo {
  nodes: NUMANode[];
}

export interface ApiDevice {
  ID: string;
  health: string;
  topology: TopologyInfo | null;
}

export interface ListAndWatchResponse {
  devices: ApiDevice[];
}

export interface PreStartContainerRequest {
  devices_ids: string[];
}

export type PreStartContainerResponse = Empty;

export interface ContainerPreferredAllocationRequest {
  available_deviceIDs: string[];
  must_include_deviceIDs: string[];
  allocation_size: number;
}

export interface PreferredAllocationRequest {
  container_requests: ContainerPreferredAllocationRequest[];
}

export interface ContainerPreferredAllocationResponse {
  deviceIDs: string[];
}

export interface PreferredAllocationResponse {
  container_responses: ContainerPreferredAllocationResponse[];
}

export interface ContainerAllocateRequest {
  devices_ids: string[];
}

export interface AllocateRequest {
  container_requests: ContainerAllocateRequest[];
}

export interface Mount {
  container_path: string;
  host_path: string;
  read_only: boolean;
}

export interface DeviceSpec {
  container_path: string;
  host_path: string;
  permissions: string;
}

export interface CDIDevice {
  name: string;
}

export interface ContainerAllocateResponse {
  envs: Record<string, string>;
  mounts: Mount[];
  devices: DeviceSpec[];
  annotations: Record<string, string>;
  cdi_devices: CDIDevice[];
}

export interface AllocateResponse {
  container_responses: ContainerAllocateResponse[];
}

/** Server side of the DevicePlugin service (what the plugin implements). */
export interface DevicePluginHandlers extends grpc.UntypedServiceImplementation {
  GetDevicePluginOptions: grpc.handleUnaryCall<Empty, DevicePluginOptions>;
  ListAndWatch: grpc.handleServerStreamingCall<Empty, ListAndWatchResponse>;
  GetPreferredAllocation: grpc.handleUnaryCall<PreferredAllocationRequest, PreferredAllocationResponse>;
  Allocate: grpc.handleUnaryCall<AllocateRequest, AllocateResponse>;
  PreStartContainer: grpc.handleUnaryCall<PreStartContainerRequest, PreStartContainerResponse>;
}

/** Server side of the Registration service (what the kubelet implements; tests stub it). */
export interface RegistrationHandlers extends grpc.UntypedServiceImplementation {
  Register: grpc.handleUnaryCall<RegisterRequest, Empty>;
}

/** Client of the DevicePlugin service (the kubelet's side; used by tests). */
export interface DevicePluginClient extends grpc.Client {
  GetDevicePluginOptions(
    req: Empty,
    options: grpc.CallOptions,
    cb: grpc.requestCallback<DevicePluginOptions>,
  ): grpc.ClientUnaryCall;
  ListAndWatch(req: Empty, options?: grpc.CallOptions): grpc.ClientReadableStream<ListAndWatchResponse>;
  GetPreferredAllocation(
    req: PreferredAllocationRequest,
    options: grpc.CallOptions,
    cb: grpc.requestCallback<PreferredAllocationResponse>,
  ): grpc.ClientUnaryCall;
  Allocate(
    req: AllocateRequest,
    options: grpc.CallOptions,
    cb: grpc.requestCallback<AllocateResponse>,
  ): grpc.ClientUnaryCall;
  PreStartContainer(
    req: PreStartContainerRequest,
    options: grpc.CallOptions,
    cb: grpc.requestCallback<PreStartContainerResponse>,
  ): grpc.ClientUnaryCall;
}

/** Client of the Registration service (the plugin's side). */
export interface RegistrationClient extends grpc.Client {
  Register(req: RegisterRequest, options: grpc.CallOptions, cb: grpc.requestCallback<Empty>): grpc.ClientUnaryCall;
}
