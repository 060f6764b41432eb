import { Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { GpuResource, MigProfile } from '../../../src/common/gpu-resource';
import { gpuResourcePatches, resolveGpuRequests } from '../../../src/workloads/gpu-container';
import { GpuRequest } from '../../../src/workloads/gpu-request';

const names = (requests: GpuRequest[]) => requests.map((r) => `${r.resource.name}=${r.count}`);
// JsonPatch keeps its operation private; its JSON form is the RFC 6902 operation.
const ops = (patches: unknown[]) => JSON.parse(JSON.stringify(patches)).map((p: any) => p.operation);

describe('resolveGpuRequests', () => {
  test('defaults to one whole GPU', () => {
    expect(names(resolveGpuRequests('c', undefined, undefined))).toEqual(['nvidia.com/gpu=1']);
    expect(names(resolveGpuRequests('c', undefined, []))).toEqual(['nvidia.com/gpu=1']);
  });

  test('puts gpus first, then gpuRequests in order', () => {
    const requests = resolveGpuRequests('c', 2, [GpuRequest.of(GpuResource.of('example.com/nic'), { count: 3 })]);
    expect(names(requests)).toEqual(['nvidia.com/gpu=2', 'example.com/nic=3']);
  });

  test('allows several MIG profiles, and whole GPUs next to shared replicas', () => {
    expect(() =>
      resolveGpuRequests('c', undefined, [
        GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB),
        GpuRequest.mig(MigProfile.PROFILE_2_G_20_GB),
      ]),
    ).not.toThrow();
    expect(() => resolveGpuRequests('c', 1, [GpuRequest.shared()])).not.toThrow();
  });
});

describe('gpuResourcePatches', () => {
  const path = '/spec/template/spec/containers/1';

  test('adds the whole resources object when cdk8s-plus renders none', () => {
    const patches = ops(gpuResourcePatches(path, {}, [GpuRequest.gpus(2)]));
    expect(patches).toEqual([
      { op: 'add', path: `${path}/resources`, value: { limits: { 'nvidia.com/gpu': { value: 2 } } } },
    ]);
  });

  test('adds into existing limits with the / of the name escaped', () => {
    const patches = ops(
      gpuResourcePatches(path, { cpu: { limit: Cpu.units(1) } }, [GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB)]),
    );
    expect(patches).toEqual([
      { op: 'add', path: `${path}/resources/limits/nvidia.com~1mig-1g.10gb`, value: { value: 1 } },
    ]);
  });

  test('creates requests next to existing limits only for requests that ask for it', () => {
    const patches = ops(
      gpuResourcePatches(path, { memory: { limit: Size.gibibytes(1) } }, [
        GpuRequest.gpus(1),
        GpuRequest.shared({ count: 2, requests: 2 }),
      ]),
    );
    expect(patches.map((p: any) => p.path)).toEqual([
      `${path}/resources/limits/nvidia.com~1gpu`,
      `${path}/resources/limits/nvidia.com~1gpu.shared`,
      `${path}/resources/requests`,
    ]);
    expect(patches[2].value).toEqual({ 'nvidia.com/gpu.shared': { value: 2 } });
  });

  test('writes Quantity values, which cdk8s renders (a plain value becomes null)', () => {
    const [patch] = gpuResourcePatches(path, undefined, [GpuRequest.gpus(1)]);
    const value = (patch as any).operation.value.limits['nvidia.com/gpu'];
    expect(value).toBeInstanceOf(k8s.Quantity);
  });
});
