import { status } from '@grpc/grpc-js';
import { buildAllocateResponse, type AllocateInput } from '../../../plugin/src/allocate/allocate-response';
import type { NodeExists } from '../../../plugin/src/allocate/device-specs';
import { RequestError } from '../../../plugin/src/allocate/request-error';
import type { ContainerAllocateResponse } from '../../../plugin/src/kubelet/api-types';
import {
  config,
  gpuResource,
  MIG_UUID,
  migResource,
  sharedResource,
  UUIDS,
  type ConfigPatch,
} from './allocate-fixtures';

const [U0, U1, U2] = UUIDS;
const RESPONSE_ID = '0b0e3c1d-7a7e-4c55-9a51-1d2f3e4a5b6c';
/** /dev/nvidiactl and /dev/nvidia-uvm exist; nvidia-uvm-tools and nvidia-modeset do not. */
const someNodes: NodeExists = (p) => p === '/dev/nvidiactl' || p === '/dev/nvidia-uvm';

function build(patch: ConfigPatch, requestIds: string[], resource = gpuResource()): ContainerAllocateResponse {
  const input: AllocateInput = {
    resource,
    config: config(patch),
    requestIds,
    newResponseId: () => RESPONSE_ID,
    nodeExists: someNodes,
  };
  return buildAllocateResponse(input);
}

function response(parts: Partial<ContainerAllocateResponse>): ContainerAllocateResponse {
  return { envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [], ...parts };
}

const spec = (p: string, root = '/') => ({
  container_path: p,
  host_path: root === '/' ? p : `${root}${p}`,
  permissions: 'rw',
});
const nullMount = (id: string) => ({
  container_path: `/var/run/nvidia-container-devices/${id}`,
  host_path: '/dev/null',
  read_only: false,
});
const gpuSpecs = [spec('/dev/nvidiactl'), spec('/dev/nvidia-uvm'), spec('/dev/nvidia4'), spec('/dev/nvidia6')];

describe('buildAllocateResponse: every strategy × device ID strategy × passDeviceSpecs', () => {
  const cases: Array<[string, ConfigPatch['flags'], ContainerAllocateResponse]> = [
    [
      'envvar, uuid',
      { plugin: { deviceListStrategy: ['envvar'] } },
      response({ envs: { NVIDIA_VISIBLE_DEVICES: `${U0},${U2}` } }),
    ],
    [
      'envvar, index',
      { plugin: { deviceListStrategy: ['envvar'], deviceIDStrategy: 'index' } },
      response({ envs: { NVIDIA_VISIBLE_DEVICES: '0,2' } }),
    ],
    [
      'envvar, uuid, passDeviceSpecs',
      { plugin: { deviceListStrategy: ['envvar'], passDeviceSpecs: true } },
      response({ envs: { NVIDIA_VISIBLE_DEVICES: `${U0},${U2}` }, devices: gpuSpecs }),
    ],
    [
      'envvar, index, passDeviceSpecs',
      { plugin: { deviceListStrategy: ['envvar'], deviceIDStrategy: 'index', passDeviceSpecs: true } },
      response({ envs: { NVIDIA_VISIBLE_DEVICES: '0,2' }, devices: gpuSpecs }),
    ],
    [
      'volume-mounts, uuid',
      { plugin: { deviceListStrategy: ['volume-mounts'] } },
      response({
        envs: { NVIDIA_VISIBLE_DEVICES: '/var/run/nvidia-container-devices' },
        mounts: [nullMount(U0), nullMount(U2)],
      }),
    ],
    [
      'volume-mounts, index, passDeviceSpecs',
      { plugin: { deviceListStrategy: ['volume-mounts'], deviceIDStrategy: 'index', passDeviceSpecs: true } },
      response({
        envs: { NVIDIA_VISIBLE_DEVICES: '/var/run/nvidia-container-devices' },
        mounts: [nullMount('0'), nullMount('2')],
        devices: gpuSpecs,
      }),
    ],
    [
      'cdi-annotations, uuid (passDeviceSpecs ignored: CDI only)',
      { plugin: { deviceListStrategy: ['cdi-annotations'], passDeviceSpecs: true } },
      response({
        annotations: {
          [`cdi.k8s.io/nvidia-device-plugin_${RESPONSE_ID}`]: `k8s.device-plugin.nvidia.com/gpu=${U0},k8s.device-plugin.nvidia.com/gpu=${U2}`,
        },
      }),
    ],
    [
      'cdi-annotations, index, custom prefix',
      {
        plugin: {
          deviceListStrategy: ['cdi-annotations'],
          deviceIDStrategy: 'index',
          cdiAnnotationPrefix: 'cdi.example.com/',
        },
      },
      response({
        annotations: {
          [`cdi.example.com/nvidia-device-plugin_${RESPONSE_ID}`]:
            'k8s.device-plugin.nvidia.com/gpu=0,k8s.device-plugin.nvidia.com/gpu=2',
        },
      }),
    ],
    [
      'cdi-cri, uuid',
      { plugin: { deviceListStrategy: ['cdi-cri'] } },
      response({
        cdi_devices: [
          { name: `k8s.device-plugin.nvidia.com/gpu=${U0}` },
          { name: `k8s.device-plugin.nvidia.com/gpu=${U2}` },
        ],
      }),
    ],
    [
      'cdi-cri, index, passDeviceSpecs (ignored: CDI only)',
      { plugin: { deviceListStrategy: ['cdi-cri'], deviceIDStrategy: 'index', passDeviceSpecs: true } },
      response({
        cdi_devices: [{ name: 'k8s.device-plugin.nvidia.com/gpu=0' }, { name: 'k8s.device-plugin.nvidia.com/gpu=2' }],
      }),
    ],
    [
      'envvar + cdi-cri, uuid, passDeviceSpecs',
      { plugin: { deviceListStrategy: ['envvar', 'cdi-cri'], passDeviceSpecs: true } },
      response({
        envs: { NVIDIA_VISIBLE_DEVICES: `${U0},${U2}` },
        devices: gpuSpecs,
        cdi_devices: [
          { name: `k8s.device-plugin.nvidia.com/gpu=${U0}` },
          { name: `k8s.device-plugin.nvidia.com/gpu=${U2}` },
        ],
      }),
    ],
  ];

  it.each(cases)('%s', (_name, flags, expected) => {
    expect(build({ flags }, [U0, U2])).toEqual(expected);
  });
});

describe('buildAllocateResponse: device specs', () => {
  it('puts host paths under the configured dev root', () => {
    const got = build({ flags: { nvidiaDevRoot: '/run/nvidia/driver', plugin: { passDeviceSpecs: true } } }, [U1]);
    expect(got.devices).toEqual([
      spec('/dev/nvidiactl', '/run/nvidia/driver'),
      spec('/dev/nvidia-uvm', '/run/nvidia/driver'),
      spec('/dev/nvidia5', '/run/nvidia/driver'),
    ]);
  });

  it('adds the parent GPU and both MIG capability nodes for a MIG device', () => {
    const got = build({ flags: { plugin: { passDeviceSpecs: true } } }, [MIG_UUID], migResource());
    expect(got.devices.map((d) => d.container_path)).toEqual([
      '/dev/nvidiactl',
      '/dev/nvidia-uvm',
      '/dev/nvidia5',
      '/dev/nvidia-caps/nvidia-cap30',
      '/dev/nvidia-caps/nvidia-cap31',
    ]);
  });

  it('leaves out control nodes that do not exist', () => {
    const input: AllocateInput = {
      resource: gpuResource(),
      config: config({ flags: { plugin: { passDeviceSpecs: true } } }),
      requestIds: [U0],
      nodeExists: () => false,
    };
    expect(buildAllocateResponse(input).devices).toEqual([spec('/dev/nvidia4')]);
  });
});

describe('buildAllocateResponse: replicas and MIG IDs', () => {
  it('strips replica suffixes and de-duplicates GPUs, keeping request order', () => {
    const got = build({}, [`${U1}::1`, `${U0}::0`, `${U1}::0`], sharedResource('time-slicing', false));
    expect(got.envs.NVIDIA_VISIBLE_DEVICES).toBe(`${U1},${U0}`);
  });

  it('de-duplicates replicas in index form too', () => {
    const got = build(
      { flags: { plugin: { deviceIDStrategy: 'index' } } },
      [`${U0}::0`, `${U0}::1`],
      sharedResource('time-slicing', false),
    );
    expect(got.envs.NVIDIA_VISIBLE_DEVICES).toBe('0');
  });

  it('de-duplicates device specs of replicas of one GPU', () => {
    const got = build(
      { flags: { plugin: { passDeviceSpecs: true } } },
      [`${U0}::0`, `${U0}::1`],
      sharedResource('time-slicing', false),
    );
    expect(got.devices.filter((d) => d.container_path === '/dev/nvidia4')).toHaveLength(1);
  });

  it('names a MIG device by its MIG index with deviceIDStrategy=index', () => {
    const got = build({ flags: { plugin: { deviceIDStrategy: 'index' } } }, [MIG_UUID], migResource());
    expect(got.envs.NVIDIA_VISIBLE_DEVICES).toBe('1:0');
  });
});

describe('buildAllocateResponse: MPS, GPUDirect and IMEX extras', () => {
  it('adds the MPS pipe directory and shm mounts for an MPS resource', () => {
    const got = build({}, [`${U0}::1`], sharedResource('mps', true));
    expect(got).toEqual(
      response({
        envs: { NVIDIA_VISIBLE_DEVICES: U0, CUDA_MPS_PIPE_DIRECTORY: '/mps/nvidia.com/gpu.shared/pipe' },
        mounts: [
          {
            container_path: '/mps/nvidia.com/gpu.shared/pipe',
            host_path: '/run/nvidia/mps/nvidia.com/gpu.shared/pipe',
            read_only: false,
          },
          { container_path: '/dev/shm', host_path: '/run/nvidia/mps/shm', read_only: false },
        ],
      }),
    );
  });

  it('keeps the MPS settings when every strategy is CDI', () => {
    const got = build(
      { flags: { plugin: { deviceListStrategy: ['cdi-cri'] } } },
      [`${U0}::1`],
      sharedResource('mps', true),
    );
    expect(got.envs).toEqual({ CUDA_MPS_PIPE_DIRECTORY: '/mps/nvidia.com/gpu.shared/pipe' });
  });

  it('sets NVIDIA_GDRCOPY, NVIDIA_GDS and NVIDIA_MOFED when enabled', () => {
    const got = build({ flags: { gdrcopyEnabled: true, gdsEnabled: true, mofedEnabled: true } }, [U0]);
    expect(got.envs).toEqual({
      NVIDIA_VISIBLE_DEVICES: U0,
      NVIDIA_GDRCOPY: 'enabled',
      NVIDIA_GDS: 'enabled',
      NVIDIA_MOFED: 'enabled',
    });
  });

  it('asks for the gdrcopy, gds and mofed CDI devices when enabled with CDI', () => {
    const got = build(
      {
        flags: {
          gdrcopyEnabled: true,
          gdsEnabled: true,
          mofedEnabled: true,
          plugin: { deviceListStrategy: ['cdi-cri'] },
        },
      },
      [U0],
    );
    expect(got.cdi_devices.map((d) => d.name)).toEqual([
      `k8s.device-plugin.nvidia.com/gpu=${U0}`,
      'k8s.device-plugin.nvidia.com/gdrcopy=all',
      'k8s.device-plugin.nvidia.com/gds=all',
      'k8s.device-plugin.nvidia.com/mofed=all',
    ]);
    expect(got.envs).toEqual({});
  });

  it('sets NVIDIA_IMEX_CHANNELS with envvar', () => {
    expect(build({ imex: { channelIDs: [0] } }, [U0]).envs).toEqual({
      NVIDIA_VISIBLE_DEVICES: U0,
      NVIDIA_IMEX_CHANNELS: '0',
    });
  });

  it('mounts IMEX channels with volume-mounts', () => {
    const got = build({ imex: { channelIDs: [0] }, flags: { plugin: { deviceListStrategy: ['volume-mounts'] } } }, [
      U0,
    ]);
    expect(got.mounts).toEqual([nullMount(U0), nullMount('imex/0')]);
  });

  it('passes the IMEX channel device node with passDeviceSpecs', () => {
    const got = build({ imex: { channelIDs: [0] }, flags: { plugin: { passDeviceSpecs: true } } }, [U0]);
    expect(got.devices.at(-1)).toEqual(spec('/dev/nvidia-caps-imex-channels/channel0'));
  });

  it('names IMEX channels as CDI devices with cdi-cri', () => {
    const got = build({ imex: { channelIDs: [0] }, flags: { plugin: { deviceListStrategy: ['cdi-cri'] } } }, [U0]);
    expect(got.cdi_devices.map((d) => d.name)).toEqual([
      `k8s.device-plugin.nvidia.com/gpu=${U0}`,
      'k8s.device-plugin.nvidia.com/imex-channel=0',
    ]);
  });
});

describe('buildAllocateResponse: CDI annotation key', () => {
  it('uses a fresh random UUID per response when none is injected', () => {
    const input = (): AllocateInput => ({
      resource: gpuResource(),
      config: config({ flags: { plugin: { deviceListStrategy: ['cdi-annotations'] } } }),
      requestIds: [U0],
    });
    const keys = [buildAllocateResponse(input()), buildAllocateResponse(input())].map(
      (r) => Object.keys(r.annotations)[0],
    );
    expect(keys[0]).toMatch(
      /^cdi\.k8s\.io\/nvidia-device-plugin_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(keys[0]).not.toBe(keys[1]);
  });
});

describe('buildAllocateResponse: refused requests', () => {
  const cases: Array<[string, string[], ReturnType<typeof gpuResource>, RegExp]> = [
    ['no device IDs', [], gpuResource(), /names no device IDs/],
    [
      'unknown IDs, all named',
      [U0, 'GPU-nope', 'GPU-also-nope'],
      gpuResource(),
      /unknown device IDs: GPU-nope, GPU-also-nope/,
    ],
    [
      'a replica ID on a resource without replicas',
      [`${U0}::0`],
      gpuResource(),
      new RegExp(`unknown device IDs: ${U0}::0`),
    ],
    [
      'two replicas with failRequestsGreaterThanOne',
      [`${U0}::0`, `${U1}::0`],
      sharedResource('time-slicing', true),
      new RegExp(`2 devices of shared resource nvidia.com/gpu.shared \\(${U0}::0, ${U1}::0\\)`),
    ],
    [
      'two MPS replicas, whatever failRequestsGreaterThanOne says',
      [`${U0}::0`, `${U0}::1`],
      sharedResource('mps', false),
      /at most 1 shared replica/,
    ],
  ];

  it.each(cases)('%s → INVALID_ARGUMENT naming the IDs', (_name, ids, resource, message) => {
    let caught: unknown;
    try {
      build({}, ids, resource);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RequestError);
    expect((caught as RequestError).code).toBe(status.INVALID_ARGUMENT);
    expect((caught as RequestError).message).toMatch(message);
  });

  it('allows two time-slicing replicas when failRequestsGreaterThanOne is off', () => {
    expect(build({}, [`${U0}::0`, `${U1}::0`], sharedResource('time-slicing', false)).envs.NVIDIA_VISIBLE_DEVICES).toBe(
      `${U0},${U1}`,
    );
  });
});
