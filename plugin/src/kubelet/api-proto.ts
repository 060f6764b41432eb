/**
 * Loads plugin/proto/api.proto at run time with @grpc/proto-loader and hands out the
 * v1beta1 service definitions and client constructors, typed by api-types.ts.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { DevicePluginClient, RegistrationClient } from './api-types.js';

/**
 * src/kubelet/*.ts and lib/kubelet/*.js sit at the same depth under plugin/, so one
 * relative path finds the proto both under ts-jest and in the built package.
 */
export const PROTO_PATH = path.resolve(__dirname, '..', '..', 'proto', 'api.proto');

const LOADER_OPTIONS: protoLoader.Options = {
  // Field names exactly as on the wire (devices_ids, available_deviceIDs, ID).
  keepCase: true,
  // NUMANode.ID is int64. NUMA node numbers are tiny, so a JS number is exact and
  // friendlier than a string or a Long; chosen on purpose, not by default.
  longs: Number,
  enums: String,
  // Every field present after decoding: repeated fields are [] rather than undefined.
  defaults: true,
  oneofs: true,
};

interface V1beta1Package {
  DevicePlugin: grpc.ServiceClientConstructor;
  Registration: grpc.ServiceClientConstructor;
}

let cached: V1beta1Package | undefined;

function load(): V1beta1Package {
  if (!cached) {
    const definition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(definition) as unknown as { v1beta1: V1beta1Package };
    cached = root.v1beta1;
  }
  return cached;
}

export function devicePluginService(): grpc.ServiceDefinition {
  return load().DevicePlugin.service;
}

export function registrationService(): grpc.ServiceDefinition {
  return load().Registration.service;
}

/** gRPC target for a unix socket path. */
export function unixTarget(socketPath: string): string {
  return `unix://${path.resolve(socketPath)}`;
}

/** The kubelet dials plugins with authority "localhost"; do the same for symmetry. */
const CLIENT_OPTIONS: grpc.ChannelOptions = { 'grpc.default_authority': 'localhost' };

export function newRegistrationClient(socketPath: string): RegistrationClient {
  const Ctor = load().Registration;
  return new Ctor(unixTarget(socketPath), grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as RegistrationClient;
}

export function newDevicePluginClient(socketPath: string): DevicePluginClient {
  const Ctor = load().DevicePlugin;
  return new Ctor(unixTarget(socketPath), grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as DevicePluginClient;
}
