/**
 * Loads plugin/proto/api.proto at run time with protobufjs and hands out the v1beta1
 * service definitions and client constructors, typed by api-types.ts.
 *
 * The definitions are the ones @grpc/proto-loader would build with the options below
 * (same protobufjs reflection, same encode/decode and toObject conversion), built here
 * directly: proto-loader also turns every message into a descriptor.proto object and
 * loads Google's well-known protos, which grpc-js never reads: about 2.5 MiB of resident
 * memory and 10-25 ms of start-up that bought nothing.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import type { DevicePluginClient, RegistrationClient } from './api-types.js';

/**
 * src/kubelet/*.ts and lib/kubelet/*.js sit at the same depth under plugin/, so one
 * relative path finds the proto both under ts-jest and in the built package.
 */
export const PROTO_PATH = path.resolve(__dirname, '..', '..', 'proto', 'api.proto');

/** Field names exactly as on the wire (devices_ids, available_deviceIDs, ID). */
const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: true };

const CONVERSION_OPTIONS: protobuf.IConversionOptions = {
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

function serializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value))
      throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
    return type.encode(type.fromObject(value)).finish() as Buffer;
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), CONVERSION_OPTIONS);
}

/** grpc-js's method definitions for one service, as proto-loader names and shapes them. */
function serviceDefinition(service: protobuf.Service): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response),
      // proto-loader's lodash camelCase; the same for the six PascalCase v1beta1 RPC names.
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  return definition;
}

let cached: V1beta1Package | undefined;

function load(): V1beta1Package {
  if (!cached) {
    const root = new protobuf.Root().loadSync(PROTO_PATH, PARSE_OPTIONS);
    root.resolveAll();
    const service = (name: string): grpc.ServiceClientConstructor =>
      grpc.makeClientConstructor(serviceDefinition(root.lookupService(`v1beta1.${name}`)), name);
    cached = { DevicePlugin: service('DevicePlugin'), Registration: service('Registration') };
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
const CLIENT_OPTIONS: grpc.ChannelOptions = { 'grpc.default_authority': 'localhost', 'grpc.enable_channelz': 0 };

/**
 * Registration reacts within milliseconds of kubelet.sock appearing (kubelet/kubelet-watcher.ts),
 * which can fall between the kubelet's bind() and listen(): a refused dial is retried after
 * 20 ms, not after grpc-js's default 1 s backoff.
 */
const REGISTRATION_CLIENT_OPTIONS: grpc.ChannelOptions = {
  ...CLIENT_OPTIONS,
  'grpc.initial_reconnect_backoff_ms': 20,
  'grpc.max_reconnect_backoff_ms': 1000,
};

export function newRegistrationClient(socketPath: string): RegistrationClient {
  const Ctor = load().Registration;
  return new Ctor(
    unixTarget(socketPath),
    grpc.credentials.createInsecure(),
    REGISTRATION_CLIENT_OPTIONS,
  ) as unknown as RegistrationClient;
}

export function newDevicePluginClient(socketPath: string): DevicePluginClient {
  const Ctor = load().DevicePlugin;
  return new Ctor(
    unixTarget(socketPath),
    grpc.credentials.createInsecure(),
    CLIENT_OPTIONS,
  ) as unknown as DevicePluginClient;
}
