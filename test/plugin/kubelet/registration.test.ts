import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApiDevice, ContainerAllocateResponse } from '../../../plugin/src/kubelet/api-types';
import { DevicePluginServer, type DevicePluginBackend } from '../../../plugin/src/kubelet/device-plugin-server';
import { registerWithKubelet, RegistrationError } from '../../../plugin/src/kubelet/registration';
import { KubeletStub, silentLogger } from '../helpers/kubelet-stub';

const backend: DevicePluginBackend = {
  resourceName: 'nvidia.com/gpu',
  devices: (): ApiDevice[] => [{ ID: 'GPU-a', health: 'Healthy', topology: null }],
  allocate: (): ContainerAllocateResponse => ({ envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [] }),
  preferredAllocation: () => [],
};

let stub: KubeletStub;
let server: DevicePluginServer;

beforeEach(async () => {
  stub = await KubeletStub.start();
  server = new DevicePluginServer({
    socketPath: path.join(stub.dir, 'nvidia-gpu.sock'),
    backend,
    logger: silentLogger(),
  });
  await server.start();
});

afterEach(async () => {
  await server.stop();
  await stub.stop();
});

describe('registerWithKubelet', () => {
  it('sends version v1beta1, the socket file name, the resource name and the options', async () => {
    await registerWithKubelet({
      kubeletSocket: stub.socketPath,
      endpoint: 'nvidia-gpu.sock',
      resourceName: 'nvidia.com/gpu',
    });
    expect(stub.registrations).toEqual([
      {
        version: 'v1beta1',
        endpoint: 'nvidia-gpu.sock',
        resource_name: 'nvidia.com/gpu',
        options: { pre_start_required: false, get_preferred_allocation_available: true },
      },
    ]);
  });

  it('lets the kubelet dial back and read the options while Register is open', async () => {
    await registerWithKubelet({
      kubeletSocket: stub.socketPath,
      endpoint: 'nvidia-gpu.sock',
      resourceName: 'nvidia.com/gpu',
    });
    expect(stub.resources.get('nvidia.com/gpu')?.options).toEqual({
      pre_start_required: false,
      get_preferred_allocation_available: true,
    });
  });

  it('fails within the dial timeout with a message naming the kubelet socket when no kubelet listens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'noklt-'));
    const missing = path.join(dir, 'kubelet.sock');
    const started = Date.now();
    const attempt = registerWithKubelet({
      kubeletSocket: missing,
      endpoint: 'nvidia-gpu.sock',
      resourceName: 'nvidia.com/gpu',
      dialTimeoutMs: 300,
    });
    await expect(attempt).rejects.toThrow(RegistrationError);
    await expect(attempt).rejects.toThrow(`cannot reach the kubelet at ${missing} within 0.3 s`);
    expect(Date.now() - started).toBeLessThan(3000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the kubelet’s refusal with the resource, endpoint and reason', async () => {
    stub.rejectWith = 'the ResourceName "nvidia.com/gpu" is invalid';
    await expect(
      registerWithKubelet({
        kubeletSocket: stub.socketPath,
        endpoint: 'nvidia-gpu.sock',
        resourceName: 'nvidia.com/gpu',
      }),
    ).rejects.toThrow(
      'the kubelet refused to register nvidia.com/gpu (endpoint nvidia-gpu.sock): UNKNOWN: the ResourceName "nvidia.com/gpu" is invalid',
    );
  });

  it('fails when the endpoint does not serve (the kubelet cannot get the options)', async () => {
    await expect(
      registerWithKubelet({
        kubeletSocket: stub.socketPath,
        endpoint: 'nobody-home.sock',
        resourceName: 'nvidia.com/gpu',
      }),
    ).rejects.toThrow(/failed to get device plugin options/);
  });
});
