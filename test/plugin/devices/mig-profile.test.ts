import {
  formatMigProfile,
  migMemoryGb,
  migProfileFromAttributes,
  migResourceName,
  parseMigProfile,
} from '../../../plugin/src/devices/mig-profile';
import type { DeviceAttributes } from '../../../plugin/src/devices/nvml';

const MiB = 1024 * 1024;

function attrs(g: number, c: number, memorySizeMB: number, sharedOfaCount = 0): DeviceAttributes {
  return {
    multiprocessorCount: 14 * c,
    sharedCopyEngineCount: g,
    sharedDecoderCount: 0,
    sharedEncoderCount: 0,
    sharedJpegCount: 0,
    sharedOfaCount,
    gpuInstanceSliceCount: g,
    computeInstanceSliceCount: c,
    memorySizeMB,
  };
}

// GPU memory (MiB, as NVML reports the whole GPU) and MIG attributes as the products report them.
test.each([
  ['A100-40GB 1g', 40960, attrs(1, 1, 4864), '1g.5gb'],
  ['A100-40GB 1g+me', 40960, attrs(1, 1, 4864, 1), '1g.5gb+me'],
  ['A100-40GB 2g', 40960, attrs(2, 2, 9856), '2g.10gb'],
  ['A100-40GB 3g', 40960, attrs(3, 3, 19968), '3g.20gb'],
  ['A100-40GB 4g', 40960, attrs(4, 4, 19968), '4g.20gb'],
  ['A100-40GB 7g (owns the OFA, still no +me)', 40960, attrs(7, 7, 40192, 1), '7g.40gb'],
  ['A100-80GB 1g', 81920, attrs(1, 1, 9856), '1g.10gb'],
  ['A100-80GB 1g.20gb', 81920, attrs(1, 1, 19968), '1g.20gb'],
  ['A100-80GB 1c of a 2g', 81920, attrs(2, 1, 19968), '1c.2g.20gb'],
  ['A100-80GB 7g', 81920, attrs(7, 7, 80896, 1), '7g.80gb'],
  ['H100-80GB 1g', 81559, attrs(1, 1, 9984), '1g.10gb'],
  ['H100-80GB 1g+me', 81559, attrs(1, 1, 9984, 1), '1g.10gb+me'],
  ['H100-80GB 1c of a 3g', 81559, attrs(3, 1, 40448), '1c.3g.40gb'],
  ['H100-80GB 2c of a 3g', 81559, attrs(3, 2, 40448), '2c.3g.40gb'],
  ['H100-80GB 7g', 81559, attrs(7, 7, 80896, 1), '7g.80gb'],
  ['A30 1g', 24576, attrs(1, 1, 5836), '1g.6gb'],
  ['A30 2g+me', 24576, attrs(2, 2, 11904, 1), '2g.12gb+me'],
  ['A30 4g (whole GPU)', 24576, attrs(4, 4, 24064, 1), '4g.24gb'],
])('%s is named %s', (_product, gpuMiB, a, name) => {
  expect(formatMigProfile(migProfileFromAttributes(a, gpuMiB * MiB))).toBe(name);
});

test.each([
  [81920, 9856, 10],
  [81920, 40192, 40],
  [40960, 4864, 5],
  [0, 4864, 0],
])('migMemoryGb(%d MiB GPU, %d MiB) = %d', (gpuMiB, migMiB, gb) => {
  expect(migMemoryGb(gpuMiB * MiB, migMiB)).toBe(gb);
});

test.each([
  ['1g.10gb', { c: 1, g: 1, gb: 10, attributes: [] }],
  ['1c.2g.20gb', { c: 1, g: 2, gb: 20, attributes: [] }],
  ['1g.10gb+me', { c: 1, g: 1, gb: 10, attributes: ['me'] }],
  ['7g.80gb', { c: 7, g: 7, gb: 80, attributes: [] }],
])('parses %s', (name, profile) => {
  expect(parseMigProfile(name)).toEqual(profile);
  expect(formatMigProfile(profile)).toBe(name);
});

test.each(['', 'gpu', '1g', '1g.10', '1x.1g.10gb', '1g.10gb+', '1g.10gb+ME'])('rejects %p as a profile', (name) => {
  expect(parseMigProfile(name)).toBeUndefined();
});

test.each([
  ['1g.10gb', 'nvidia.com/mig-1g.10gb'],
  ['3g.40gb', 'nvidia.com/mig-3g.40gb'],
  ['1g.10gb+me', 'nvidia.com/mig-1g.10gb.me'],
])('the mixed-strategy resource for %s is %s', (profile, resource) => {
  expect(migResourceName(profile)).toBe(resource);
});
