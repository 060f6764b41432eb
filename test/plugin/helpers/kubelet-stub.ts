/**
 * A stand-in kubelet for tests: a real v1beta1 Registration server on kubelet.sock in
 * a temp directory. Like the kubelet's device manager it checks the version, dials the
 * plugin's endpoint back while Register is open, calls GetDevicePluginOptions, and after
 * Register returns opens ListAndWatch and keeps every list it receives. It can also
 * "restart" the way the kubelet does (delete every socket, re-create kubelet.sock), and
 * hands out typed promise clients for Allocate, GetPreferredAllocation and
 * PreStartContainer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { newDevicePluginClient, registrationService, unixTarget } from '../../../plugin/src/kubelet/api-proto';
import type {
  AllocateRequest,
  AllocateResponse,
  ApiDevice,
  DevicePluginClient,
  DevicePluginOptions,
  PreferredAllocationRequest,
  PreferredAllocationResponse,
  RegisterRequest,
  RegistrationHandlers,
} from '../../../plugin/src/kubelet/api-types';
import { createLogger, type Logger } from '../../../plugin/src/observability/logger';

/** A silent logger for tests that build plugin parts directly. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

export interface StubResource {
  registration: RegisterRequest;
  /** Options from GetDevicePluginOptions (what the real kubelet uses). */
  options: DevicePluginOptions;
  /** Every ListAndWatch message of the current registration, in order. */
  lists: ApiDevice[][];
  /** The current registration's stream has ended (plugin stopped or restarted). */
  streamEnded: boolean;
  /** How that stream ended: undefined while open, 'end' or the gRPC error code. */
  streamEnd?: 'end' | grpc.status;
}

/** Promise wrapper around the DevicePlugin client, the kubelet's side of a plugin socket. */
export class PluginClient {
  readonly raw: DevicePluginClient;

  constructor(readonly socketPath: string) {
    this.raw = newDevicePluginClient(socketPath);
  }

  private unary<Req, Res>(
    fn: (req: Req, options: grpc.CallOptions, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
    req: Req,
    timeoutMs = 10000,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      fn.call(this.raw, req, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res?: Res) =>
        err ? reject(err) : resolve(res as Res),
      );
    });
  }

  options(): Promise<DevicePluginOptions> {
    return this.unary(this.raw.GetDevicePluginOptions, {});
  }

  allocate(request: AllocateRequest): Promise<AllocateResponse> {
    return this.unary(this.raw.Allocate, request);
  }

  /** One container asking for `ids`, as the kubelet always sends it. */
  allocateIds(ids: string[]): Promise<AllocateResponse> {
    return this.allocate({ container_requests: [{ devices_ids: ids }] });
  }

  preferred(request: PreferredAllocationRequest): Promise<PreferredAllocationResponse> {
    return this.unary(this.raw.GetPreferredAllocation, request);
  }

  preStart(ids: string[]): Promise<Record<string, never>> {
    return this.unary(this.raw.PreStartContainer, { devices_ids: ids });
  }

  /** Sends raw bytes as an Allocate request (for undecodable messages). */
  rawAllocate(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.raw.makeUnaryRequest(
        '/v1beta1.DevicePlugin/Allocate',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        { deadline: Date.now() + 10000 },
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      );
    });
  }

  close(): void {
    this.raw.close();
  }
}

export interface KubeletStubOptions {
  /** Directory to serve in; a fresh temp directory by default. */
  dir?: string;
  /** Refuse Register with this message (to test the plugin's retries). */
  rejectWith?: string;
}

export class KubeletStub {
  readonly dir: string;
  readonly socketPath: string;
  /** Every Register call ever received, in order (including refused ones). */
  readonly registrations: RegisterRequest[] = [];
  /** Current registration per resource name. */
  readonly resources = new Map<string, StubResource>();
  rejectWith: string | undefined;
  private server: grpc.Server | undefined;
  private readonly clients = new Map<string, { client: PluginClient; stream: grpc.ClientReadableStream<unknown> }>();
  private readonly ownsDir: boolean;

  private constructor(options: KubeletStubOptions) {
    this.ownsDir = options.dir === undefined;
    // Unix socket paths are limited to 107 bytes: keep the directory short.
    this.dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kstub-'));
    this.socketPath = path.join(this.dir, 'kubelet.sock');
    this.rejectWith = options.rejectWith;
  }

  static async start(options: KubeletStubOptions = {}): Promise<KubeletStub> {
    const stub = new KubeletStub(options);
    await stub.listen();
    return stub;
  }

  private async listen(): Promise<void> {
    const server = new grpc.Server();
    const handlers: RegistrationHandlers = {
      Register: (call, callback) => {
        this.handleRegister(call.request).then(
          () => callback(null, {}),
          (err: Error) => callback({ code: grpc.status.UNKNOWN, details: err.message }, null),
        );
      },
    };
    server.addService(registrationService(), handlers);
    fs.rmSync(this.socketPath, { force: true });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(unixTarget(this.socketPath), grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    this.server = server;
  }

  private async handleRegister(request: RegisterRequest): Promise<void> {
    this.registrations.push(request);
    if (request.version !== 'v1beta1') {
      throw new Error(
        `requested API version "${request.version}" is not supported by kubelet. Supported version is v1beta1`,
      );
    }
    if (this.rejectWith) throw new Error(this.rejectWith);
    const name = request.resource_name;
    this.dropClient(name);
    const client = new PluginClient(path.join(this.dir, request.endpoint));
    // Like the kubelet: the options come from the plugin, fetched while Register is open.
    let options: DevicePluginOptions;
    try {
      options = await client.options();
    } catch (err) {
      client.close();
      throw new Error(`failed to get device plugin options: ${(err as Error).message}`);
    }
    const state: StubResource = { registration: request, options, lists: [], streamEnded: false };
    this.resources.set(name, state);
    // The kubelet opens ListAndWatch only after Register has returned.
    setImmediate(() => {
      const stream = client.raw.ListAndWatch({});
      this.clients.set(name, { client, stream });
      stream.on('data', (msg: { devices: ApiDevice[] }) => state.lists.push(msg.devices));
      stream.on('error', (err: grpc.ServiceError) => {
        state.streamEnded = true;
        state.streamEnd = err.code;
      });
      stream.on('end', () => {
        state.streamEnded = true;
        state.streamEnd ??= 'end';
      });
    });
  }

  private dropClient(name: string): void {
    const old = this.clients.get(name);
    if (old) {
      old.stream.cancel();
      old.client.close();
      this.clients.delete(name);
    }
  }

  /** Number of Register calls for one resource. */
  registerCount(resourceName: string): number {
    return this.registrations.filter((r) => r.resource_name === resourceName).length;
  }

  /** The last device list the plugin sent for a resource. */
  latest(resourceName: string): ApiDevice[] | undefined {
    return this.resources.get(resourceName)?.lists.at(-1);
  }

  /** A client on a resource's registered endpoint (closed by stop()). */
  client(resourceName: string): PluginClient {
    const state = this.resources.get(resourceName);
    if (!state)
      throw new Error(
        `${resourceName} is not registered; registered: ${[...this.resources.keys()].join(', ') || 'none'}`,
      );
    const client = new PluginClient(path.join(this.dir, state.registration.endpoint));
    this.extraClients.push(client);
    return client;
  }

  private readonly extraClients: PluginClient[] = [];

  /** Polls `predicate` until it holds; fails with `what` after `timeoutMs`. */
  async waitFor(what: string, predicate: () => boolean, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits until every named resource has a registration with an open ListAndWatch carrying a list. */
  async waitForResources(names: string[], timeoutMs = 10000): Promise<void> {
    await this.waitFor(
      `registration and a ListAndWatch list for ${names.join(', ')}`,
      () => names.every((n) => (this.resources.get(n)?.lists.length ?? 0) > 0 && !this.resources.get(n)?.streamEnded),
      timeoutMs,
    );
  }

  /**
   * Restarts like the kubelet: stop serving, delete every unix socket in the directory
   * (plugin sockets included), then create kubelet.sock again. Known registrations are
   * forgotten; the plugin has to register again.
   */
  async restart(): Promise<void> {
    await this.closeServer();
    for (const name of [...this.clients.keys()]) this.dropClient(name);
    this.resources.clear();
    for (const entry of fs.readdirSync(this.dir)) {
      const p = path.join(this.dir, entry);
      if (fs.lstatSync(p).isSocket()) fs.unlinkSync(p);
    }
    await this.listen();
  }

  /** A kubelet that goes away does not wait for open calls. */
  private async closeServer(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Stops serving and closes every client; removes the temp directory it created. */
  async stop(): Promise<void> {
    for (const name of [...this.clients.keys()]) this.dropClient(name);
    for (const c of this.extraClients) c.close();
    await this.closeServer();
    if (this.ownsDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
