import { GpuResource, MigProfile } from '../../../src/common/gpu-resource';
import { GpuRequest } from '../../../src/workloads';

describe('GpuRequest factories', () => {
  test.each([
    ['gpus(2)', () => GpuRequest.gpus(2), 'nvidia.com/gpu', 2],
    ['mig(1g.10gb)', () => GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB), 'nvidia.com/mig-1g.10gb', 1],
    [
      'mig(3g.40gb, count 2)',
      () => GpuRequest.mig(MigProfile.PROFILE_3_G_40_GB, { count: 2 }),
      'nvidia.com/mig-3g.40gb',
      2,
    ],
    ['shared()', () => GpuRequest.shared(), 'nvidia.com/gpu.shared', 1],
    [
      'shared(renamed, 3)',
      () => GpuRequest.shared({ resource: GpuResource.of('nvidia.com/t4-shared'), count: 3 }),
      'nvidia.com/t4-shared',
      3,
    ],
    ['of(example.com/fpga)', () => GpuRequest.of(GpuResource.of('example.com/fpga')), 'example.com/fpga', 1],
  ])('%s asks for the right resource and count, limits only', (_what, make, resource, count) => {
    const request = make();
    expect(request.resource.name).toBe(resource);
    expect(request.count).toBe(count);
    expect(request.requests).toBeUndefined();
  });

  test('keeps requests equal to count', () => {
    expect(GpuRequest.of(GpuResource.NVIDIA_GPU, { count: 4, requests: 4 }).requests).toBe(4);
  });
});

describe('GpuRequest validation', () => {
  test.each([
    ['gpus(0)', () => GpuRequest.gpus(0), 'GpuRequest.gpus count must be a whole number ≥ 1 (got 0)'],
    ['gpus(1.5)', () => GpuRequest.gpus(1.5), 'GpuRequest.gpus count must be a whole number ≥ 1 (got 1.5)'],
    [
      'mig with count 0',
      () => GpuRequest.mig(MigProfile.PROFILE_1_G_5_GB, { count: 0 }),
      'GpuRequest.mig count must be a whole number ≥ 1 (got 0)',
    ],
    [
      'of with a negative count',
      () => GpuRequest.of(GpuResource.NVIDIA_GPU, { count: -1 }),
      'GpuRequest.of count must be a whole number ≥ 1 (got -1)',
    ],
    [
      'shared with requests above count',
      () => GpuRequest.shared({ count: 1, requests: 2 }),
      'GpuRequest.shared requests must equal count for nvidia.com/gpu.shared (got requests 2, count 1): Kubernetes rejects an extended resource whose request differs from its limit; leave requests unset',
    ],
    [
      'mig with fractional requests',
      () => GpuRequest.mig(MigProfile.PROFILE_1_G_10_GB, { requests: 0.5 }),
      'GpuRequest.mig requests must equal count for nvidia.com/mig-1g.10gb (got requests 0.5, count 1)',
    ],
  ])('rejects %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });
});
