import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { RequestError } from '../../../plugin/src/allocate/request-error';
import type { ApiDevice, ContainerAllocateResponse, ListAndWatchResponse } from '../../../plugin/src/kubelet/api-types';
import { DevicePluginServer, type DevicePluginBackend } from '../../../plugin/src/kubelet/device-plugin-server';
import { PluginClient, silentLogger } from '../helpers/kubelet-stub';

const ALLOCATED: ContainerAllocateResponse = {
  envs: { NVIDIA_VISIBLE_DEVICES: 'GPU-a' },
  mounts: [],
  devices: [],
  annotations: {},
  cdi_devices: [],
};

class FakeBackend implements DevicePluginBackend {
  readonly resourceName = 'example.com/gpu';
  list: ApiDevice[] = [
    { ID: 'GPU-a', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
    { ID: 'GPU-b', health: 'Healthy', topology: null },
  ];
  allocations: string[][] = [];
  devices(): ApiDevice[] {
    return this.list;
  }
  allocate(request: { devices_ids: string[] }): ContainerAllocateResponse {
    if (request.devices_ids.includes('bad')) throw new RequestError('unknown device IDs: bad');
    if (request.devices_ids.includes('boom')) throw new Error('bug');
    this.allocations.push(request.devices_ids);
    return ALLOCATED;
  }
  preferredAllocation(request: { available_deviceIDs: string[]; allocation_size: number }): string[] {
    return request.available_deviceIDs.slice(0, request.allocation_size);
  }
}

let dir: string;
let server: DevicePluginServer;
let backend: FakeBackend;
let client: PluginClient;

function socket(): string {
  return path.join(dir, 'nvidia-gpu.sock');
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dps-'));
  backend = new FakeBackend();
  server = new DevicePluginServer({ socketPath: socket(), backend, logger: silentLogger() });
  await server.start();
  client = new PluginClient(socket());
});

afterEach(async () => {
  client.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStream(): {
  messages: ListAndWatchResponse[];
  ended: Promise<void>;
  stream: grpc.ClientReadableStream<ListAndWatchResponse>;
} {
  const messages: ListAndWatchResponse[] = [];
  const stream = client.raw.ListAndWatch({});
  stream.on('data', (m: ListAndWatchResponse) => messages.push(m));
  const ended = new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
  });
  return { messages, ended, stream };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function codeOf(promise: Promise<unknown>): Promise<grpc.status> {
  return promise.then(
    () => grpc.status.OK,
    (err: grpc.ServiceError) => err.code,
  );
}

describe('DevicePluginServer', () => {
  it('creates a socket that only its owner can use', () => {
    expect(fs.statSync(socket()).mode & 0o777).toBe(0o600);
  });

  it('replaces a stale socket left by an earlier run', async () => {
    await server.stop();
    // A process that exits without closing its server leaves the socket file behind.
    const listenAndExit = `require('net').createServer().listen(${JSON.stringify(socket())}, () => process.exit(0))`;
    execFileSync(process.execPath, ['-e', listenAndExit]);
    expect(fs.lstatSync(socket()).isSocket()).toBe(true);
    server = new DevicePluginServer({ socketPath: socket(), backend, logger: silentLogger() });
    await server.start();
    await expect(client.options()).resolves.toBeDefined();
  });

  it('refuses to delete a regular file in the socket path', async () => {
    const file = path.join(dir, 'not-a-socket.sock');
    fs.writeFileSync(file, 'keep me');
    const other = new DevicePluginServer({ socketPath: file, backend, logger: silentLogger() });
    await expect(other.start()).rejects.toThrow(`${file} exists and is not a unix socket`);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('answers GetDevicePluginOptions with preferred allocation on and PreStart off', async () => {
    await expect(client.options()).resolves.toEqual({
      pre_start_required: false,
      get_preferred_allocation_available: true,
    });
  });

  it('sends the full device list with NUMA topology as soon as ListAndWatch opens', async () => {
    const { messages, stream } = openStream();
    await until(() => messages.length === 1, 'the first list');
    expect(messages[0].devices).toEqual(backend.list);
    stream.cancel();
  });

  it('sends the full list again on notify', async () => {
    const { messages, stream } = openStream();
    await until(() => messages.length === 1, 'the first list');
    backend.list = [{ ...backend.list[0], health: 'Unhealthy' }, backend.list[1]];
    server.notify();
    await until(() => messages.length === 2, 'the update');
    expect(messages[1].devices.map((d) => d.health)).toEqual(['Unhealthy', 'Healthy']);
    stream.cancel();
  });

  it('forgets a stream the client cancelled', async () => {
    const { messages, stream } = openStream();
    await until(() => messages.length === 1, 'the first list');
    stream.cancel();
    await until(() => server.streamCount === 0, 'the stream to be dropped');
    expect(server.streamCount).toBe(0);
  });

  it('delegates Allocate to the backend, one response per container request', async () => {
    const res = await client.allocate({ container_requests: [{ devices_ids: ['GPU-a'] }, { devices_ids: ['GPU-b'] }] });
    expect(res.container_responses).toEqual([ALLOCATED, ALLOCATED]);
    expect(backend.allocations).toEqual([['GPU-a'], ['GPU-b']]);
  });

  it('answers a RequestError with its code and message', async () => {
    const err = (await client.allocateIds(['bad']).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe('unknown device IDs: bad');
  });

  it('answers an unexpected error with INTERNAL', async () => {
    await expect(codeOf(client.allocateIds(['boom']))).resolves.toBe(grpc.status.INTERNAL);
  });

  it.each([
    ['Allocate', () => client.allocate({ container_requests: [] })],
    ['GetPreferredAllocation', () => client.preferred({ container_requests: [] })],
  ])('answers %s without container requests with INVALID_ARGUMENT', async (_name, call) => {
    await expect(codeOf(call())).resolves.toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('delegates GetPreferredAllocation to the backend', async () => {
    const res = await client.preferred({
      container_requests: [{ available_deviceIDs: ['GPU-b', 'GPU-a'], must_include_deviceIDs: [], allocation_size: 1 }],
    });
    expect(res.container_responses).toEqual([{ deviceIDs: ['GPU-b'] }]);
  });

  it('answers PreStartContainer with an empty response', async () => {
    await expect(client.preStart(['GPU-a'])).resolves.toEqual({});
  });

  it('on stop sends an empty list, ends the stream and removes its socket', async () => {
    const { messages, ended } = openStream();
    await until(() => messages.length === 1, 'the first list');
    await server.stop({ sendEmpty: true });
    await ended;
    expect(messages.map((m) => m.devices.length)).toEqual([2, 0]);
    expect(fs.existsSync(socket())).toBe(false);
  });

  it('does not remove a socket that another server created after it', async () => {
    fs.unlinkSync(socket());
    const other = new DevicePluginServer({ socketPath: socket(), backend, logger: silentLogger() });
    await other.start();
    await server.stop();
    expect(fs.lstatSync(socket()).isSocket()).toBe(true);
    await other.stop();
  });

  it('reports its socket missing once the file is deleted, and restart brings it back', async () => {
    fs.unlinkSync(socket());
    expect(server.socketPresent()).toBe(false);
    await server.restart();
    expect(server.socketPresent()).toBe(true);
    const fresh = new PluginClient(socket());
    await expect(fresh.options()).resolves.toBeDefined();
    fresh.close();
  });
});
