/**
 * One gRPC DevicePlugin server on its own unix socket for one advertised resource.
 * Handlers only: device state, Allocate and preferred allocation live behind the
 * DevicePluginBackend interface.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { devicePluginService, unixTarget } from './api-proto.js';
import type {
  ApiDevice,
  ContainerAllocateRequest,
  ContainerAllocateResponse,
  ContainerPreferredAllocationRequest,
  DevicePluginHandlers,
  DevicePluginOptions,
  Empty,
  ListAndWatchResponse,
} from './api-types.js';
import { fileIdentity, removeOwnSocket, unlinkStaleSocket, type FileIdentity } from './socket-file.js';

/** What a server needs from the device side. */
export interface DevicePluginBackend {
  readonly resourceName: string;
  /** The complete current device list (ListAndWatch sends all of it every time). */
  devices(): ApiDevice[];
  /** Throws an error with a numeric gRPC `code` (e.g. RequestError) to answer that code. */
  allocate(request: ContainerAllocateRequest): ContainerAllocateResponse;
  preferredAllocation(request: ContainerPreferredAllocationRequest): string[];
}

/** The same options go into RegisterRequest and GetDevicePluginOptions. */
export const DEVICE_PLUGIN_OPTIONS: DevicePluginOptions = Object.freeze({
  pre_start_required: false,
  get_preferred_allocation_available: true,
});

/** Socket mode: only root (the kubelet) may connect. */
export const SOCKET_MODE = 0o600;

/**
 * channelz is on by default in grpc-js: every call then updates per-server and per-socket
 * call counters and timestamps for a debugging service nobody can reach here (the plugin
 * never serves the channelz API). Off, an Allocate allocates and costs less
 * (docs/benchmarks.md).
 */
const SERVER_OPTIONS: grpc.ServerOptions = { 'grpc.enable_channelz': 0 };

export interface DevicePluginServerOptions {
  socketPath: string;
  backend: DevicePluginBackend;
  logger: Logger;
  metrics?: Metrics;
}

type ListAndWatchCall = grpc.ServerWritableStream<Empty, ListAndWatchResponse>;

/**
 * Longest status message sent. The message travels percent-encoded in an HTTP/2 trailer:
 * one that echoes a megabyte-long device ID overflows Node's 64 KiB header block limit,
 * the stream is destroyed and the caller never gets an answer.
 */
export const MAX_STATUS_DETAILS = 1024;

/** A UTF-16 surrogate without its partner, e.g. where an ID quoted in a message was cut short. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The message as grpc-js can send it: at most MAX_STATUS_DETAILS characters, and no lone
 * surrogate (grpc-js percent-encodes the message with encodeURI, which throws on one, and
 * the caller then gets UNKNOWN "Unknown error" instead of our code and message).
 */
export function boundedDetails(details: string): string {
  let text = details;
  if (text.length > MAX_STATUS_DETAILS) {
    const cut = `… (${text.length - MAX_STATUS_DETAILS} more characters)`;
    text = text.slice(0, MAX_STATUS_DETAILS - cut.length) + cut;
  }
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

function grpcError(err: unknown): Partial<grpc.StatusObject> {
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'number' ? (e.code as grpc.status) : grpc.status.INTERNAL;
  return { code, details: boundedDetails(e.message ?? String(err)) };
}

/** The kubelet sends exactly one container entry and reads only the first answer. */
function requireContainers(count: number, call: string, resource: string): void {
  if (count === 0) {
    throw Object.assign(
      new Error(`${call} request for ${resource} has no container_requests; the kubelet sends one per call`),
      {
        code: grpc.status.INVALID_ARGUMENT,
      },
    );
  }
}

export class DevicePluginServer {
  private server: grpc.Server | undefined;
  private identity: FileIdentity | undefined;
  private readonly streams = new Set<ListAndWatchCall>();
  private readonly log: Logger;

  constructor(private readonly opts: DevicePluginServerOptions) {
    this.log = opts.logger.child({ resource: opts.backend.resourceName, socket: opts.socketPath });
  }

  get socketPath(): string {
    return this.opts.socketPath;
  }

  get resourceName(): string {
    return this.opts.backend.resourceName;
  }

  get serving(): boolean {
    return this.server !== undefined;
  }

  /** Open ListAndWatch streams (normally one: the kubelet's). */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Whether our socket file is still in place (the kubelet deletes it when it restarts). */
  socketPresent(): boolean {
    const current = fileIdentity(this.opts.socketPath);
    return current !== undefined && this.identity !== undefined && current.ino === this.identity.ino;
  }

  /**
   * Unlinks a stale socket, then binds. The server binds to a hidden temporary name,
   * gets its mode restricted there and is renamed into place: the socket never exists
   * with a looser mode, and because Node unlinks the *bound* path when a server closes,
   * closing this server later can never delete a socket another instance put there.
   */
  async start(): Promise<void> {
    if (this.server) return;
    const target = this.opts.socketPath;
    const temp = path.join(path.dirname(target), `.${process.pid}.${path.basename(target)}`);
    unlinkStaleSocket(target);
    fs.rmSync(temp, { force: true });
    const server = new grpc.Server(SERVER_OPTIONS);
    server.addService(devicePluginService(), this.handlers());
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(unixTarget(temp), grpc.ServerCredentials.createInsecure(), (err) => {
        if (err) reject(new Error(`cannot serve ${this.resourceName} on ${target}: ${err.message}`));
        else resolve();
      });
    });
    try {
      fs.chmodSync(temp, SOCKET_MODE);
      fs.renameSync(temp, target);
    } catch (err) {
      server.forceShutdown();
      throw new Error(`cannot put the socket of ${this.resourceName} in place at ${target}: ${(err as Error).message}`);
    }
    this.identity = fileIdentity(target);
    this.server = server;
    this.log.info('serving device plugin');
  }

  /** Sends the full device list to every open ListAndWatch stream. */
  notify(): void {
    const message = { devices: this.opts.backend.devices() };
    for (const call of this.streams) this.write(call, message);
  }

  /**
   * Stops serving. With `sendEmpty`, every open ListAndWatch stream first gets an empty
   * device list, so the kubelet drops allocatable to 0 at once instead of keeping stale
   * capacity; then the streams end, the server closes and our socket file goes.
   */
  async stop(options: { sendEmpty?: boolean } = {}): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const call of this.streams) {
      if (options.sendEmpty) this.write(call, { devices: [] });
      call.end();
    }
    this.streams.clear();
    await new Promise<void>((resolve) => {
      // Give in-flight calls (and the final empty list) a moment to flush, then force.
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    removeOwnSocket(this.opts.socketPath, this.identity);
    this.identity = undefined;
    this.log.info({ sentEmptyList: options.sendEmpty ?? false }, 'stopped device plugin');
  }

  /** Re-creates the server and its socket (after the socket file was deleted). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private write(call: ListAndWatchCall, message: ListAndWatchResponse): void {
    try {
      call.write(message);
    } catch (err) {
      this.log.warn({ err }, 'could not write to a ListAndWatch stream; dropping it');
      this.streams.delete(call);
    }
  }

  /**
   * The gRPC status an Allocate or GetPreferredAllocation that failed answers with, counted
   * and logged once, with the request (bounded) and the code, as the kubelet will log it.
   */
  private refuse(
    call: 'Allocate' | 'GetPreferredAllocation',
    request: unknown,
    err: unknown,
  ): Partial<grpc.StatusObject> {
    const status = grpcError(err);
    const code = grpc.status[status.code!];
    this.opts.metrics?.allocationErrors.inc({ resource: this.opts.backend.resourceName, call, code });
    this.log.warn({ request: boundedDetails(JSON.stringify(request)), code }, `${call} refused: ${status.details}`);
    return status;
  }

  private handlers(): DevicePluginHandlers {
    const backend = this.opts.backend;
    const metrics = this.opts.metrics;
    const resource = backend.resourceName;
    return {
      GetDevicePluginOptions: (_call, callback) => callback(null, { ...DEVICE_PLUGIN_OPTIONS }),

      ListAndWatch: (call) => {
        this.streams.add(call);
        const forget = (): void => {
          this.streams.delete(call);
        };
        call.on('cancelled', forget);
        call.on('close', forget);
        call.on('error', forget);
        this.log.info('kubelet opened ListAndWatch');
        this.write(call, { devices: backend.devices() });
      },

      Allocate: (call, callback) => {
        try {
          requireContainers(call.request.container_requests.length, 'Allocate', resource);
          const container_responses = call.request.container_requests.map((r) => backend.allocate(r));
          metrics?.allocations.inc({ resource });
          callback(null, { container_responses });
        } catch (err) {
          callback(this.refuse('Allocate', call.request, err), null);
        }
      },

      GetPreferredAllocation: (call, callback) => {
        try {
          requireContainers(call.request.container_requests.length, 'GetPreferredAllocation', resource);
          const container_responses = call.request.container_requests.map((r) => ({
            deviceIDs: backend.preferredAllocation(r),
          }));
          metrics?.preferredAllocations.inc({ resource });
          callback(null, { container_responses });
        } catch (err) {
          callback(this.refuse('GetPreferredAllocation', call.request, err), null);
        }
      },

      // pre_start_required is false, so the kubelet never calls this; answer anyway.
      PreStartContainer: (_call, callback) => callback(null, {}),
    };
  }
}
