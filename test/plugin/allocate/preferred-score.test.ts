import { PcieLevel, type GpuTopology } from '../../../plugin/src/devices/types.js';
import { pairScore, pcieScore, scoreMatrix } from '../../../plugin/src/allocate/preferred-score.js';

/** Two GPUs with `links` NVLinks between them and PCIe relation `level`. */
const pair = (links: number, level: PcieLevel): GpuTopology => ({
  nvlinks: [
    [0, links],
    [links, 0],
  ],
  pcie: [
    [PcieLevel.INTERNAL, level],
    [level, PcieLevel.INTERNAL],
  ],
});

describe('pcieScore', () => {
  test.each([
    [PcieLevel.INTERNAL, 60],
    [PcieLevel.SINGLE, 50],
    [PcieLevel.MULTIPLE, 40],
    [PcieLevel.HOSTBRIDGE, 30],
    [PcieLevel.NODE, 20],
    [PcieLevel.SYSTEM, 10],
  ])('PCIe level %s scores %i as in go-gpuallocator', (level, points) => {
    expect(pcieScore(level)).toBe(points);
  });

  test('an unknown level scores nothing', () => {
    expect(pcieScore(99 as PcieLevel)).toBe(0);
    expect(pcieScore(undefined)).toBe(0);
  });
});

describe('pairScore', () => {
  test.each([
    ['no NVLink, cross-socket', 0, PcieLevel.SYSTEM, 10],
    ['one NVLink adds 100 to the PCIe points', 1, PcieLevel.SYSTEM, 110],
    ['two NVLinks behind one switch', 2, PcieLevel.SINGLE, 250],
    ['twelve NVLinks (A100 NVSwitch)', 12, PcieLevel.NODE, 1220],
    ['eighteen NVLinks (H100 NVSwitch)', 18, PcieLevel.NODE, 1820],
    ['more than eighteen count as eighteen', 24, PcieLevel.NODE, 1820],
  ])('%s', (_name, links, level, expected) => {
    expect(pairScore(pair(links, level), 0, 1)).toBe(expected);
  });

  test('a GPU with itself scores 0', () => {
    expect(pairScore(pair(4, PcieLevel.SINGLE), 1, 1)).toBe(0);
  });

  test('GPUs missing from the matrices score 0 instead of throwing', () => {
    expect(pairScore({ nvlinks: [], pcie: [] }, 0, 3)).toBe(0);
  });
});

describe('scoreMatrix', () => {
  test('lays out the scores of the given GPUs in the given order', () => {
    const t: GpuTopology = {
      nvlinks: [
        [0, 1, 0],
        [1, 0, 2],
        [0, 2, 0],
      ],
      pcie: [
        [PcieLevel.INTERNAL, PcieLevel.SINGLE, PcieLevel.SYSTEM],
        [PcieLevel.SINGLE, PcieLevel.INTERNAL, PcieLevel.NODE],
        [PcieLevel.SYSTEM, PcieLevel.NODE, PcieLevel.INTERNAL],
      ],
    };
    // GPUs 2 and 0 only, in that order.
    expect(Array.from(scoreMatrix(t, [2, 0]))).toEqual([0, 10, 10, 0]);
    expect(Array.from(scoreMatrix(t, [0, 1, 2]))).toEqual([0, 150, 10, 150, 0, 220, 10, 220, 0]);
  });

  test('a lopsided matrix is made symmetric', () => {
    const t: GpuTopology = {
      nvlinks: [
        [0, 2],
        [0, 0],
      ],
      pcie: [
        [PcieLevel.INTERNAL, PcieLevel.SYSTEM],
        [PcieLevel.SYSTEM, PcieLevel.INTERNAL],
      ],
    };
    const w = scoreMatrix(t, [0, 1]);
    expect(w[1]).toBe(w[2]);
    expect(w[1]).toBe(110);
  });
});
