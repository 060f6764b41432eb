/** Normalisation keeps what the API fixes and drops only what it leaves free. */
import { normaliseAllocate, normaliseDevice, RESPONSE_ID } from '../../parity/record';

const empty = { envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [] };

test('the random CDI response id in an annotation key is replaced and the device list sorted', () => {
  const [c] = normaliseAllocate({
    container_responses: [
      {
        ...empty,
        annotations: { 'cdi.k8s.io/nvidia-device-plugin_3f1c9a2e-7d4b-4c1e-9f0a-1b2c3d4e5f60': 'k/gpu=b,k/gpu=a' },
      },
    ],
  });
  expect(c.annotations).toEqual({ [`cdi.k8s.io/nvidia-device-plugin_${RESPONSE_ID}`]: 'k/gpu=a,k/gpu=b' });
});

test('NVIDIA_VISIBLE_DEVICES is compared as a sorted list, other envs verbatim', () => {
  const [c] = normaliseAllocate({
    container_responses: [{ ...empty, envs: { NVIDIA_VISIBLE_DEVICES: '2,0', OTHER: 'b,a' } }],
  });
  expect(c.envs).toEqual({ NVIDIA_VISIBLE_DEVICES: '0,2', OTHER: 'b,a' });
});

test('empty proto fields are dropped', () => {
  expect(normaliseAllocate({ container_responses: [empty] })).toEqual([{}]);
});

test('mounts are sorted by container path and keep their flags', () => {
  const m = (p: string) => ({ container_path: p, host_path: '/dev/null', read_only: false });
  const [c] = normaliseAllocate({ container_responses: [{ ...empty, mounts: [m('/b'), m('/a')] }] });
  expect(c.mounts).toEqual([m('/a'), m('/b')]);
});

test.each([
  [{ ID: 'x', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } }, [1]],
  [{ ID: 'x', health: 'Healthy', topology: { nodes: [] } }, null],
  [{ ID: 'x', health: 'Healthy', topology: null }, null],
])('device topology %j reads as NUMA %j', (device, numa) => {
  expect(normaliseDevice(device).numa).toEqual(numa);
});
