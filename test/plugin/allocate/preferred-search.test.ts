import { scoreMatrix } from '../../../plugin/src/allocate/preferred-score.js';
import {
  EXACT_SEARCH_LIMIT,
  bestSet,
  combinationsUpTo,
  greedySet,
} from '../../../plugin/src/allocate/preferred-search.js';
import type { GpuTopology } from '../../../plugin/src/devices/types.js';
import {
  allSubsetScores,
  dgx1,
  exhaustiveOptimum,
  islands,
  prng,
  randomTopology,
  referenceSetScore,
} from './preferred-fixtures.js';

const range = (n: number): number[] => [...Array(n).keys()];
const matrixOf = (t: GpuTopology): Int32Array => scoreMatrix(t, range(t.nvlinks.length));

describe('combinationsUpTo', () => {
  test.each([
    [16, 8, 12870],
    [16, 0, 1],
    [16, 16, 1],
    [64, 2, 2016],
    [5, 7, 0],
  ])('C(%i, %i) = %i', (n, k, expected) => {
    expect(combinationsUpTo(n, k, 1e9)).toBe(expected);
  });

  test('stops counting past the cap', () => {
    expect(combinationsUpTo(64, 32, 1000)).toBe(1001);
  });
});

describe('bestSet', () => {
  test('every request on a 16-GPU node is searched exactly', () => {
    const t = randomTopology(16, prng(7), 'dense');
    const w = matrixOf(t);
    for (let size = 1; size <= 16; size++) expect(bestSet(w, 16, [], size).exact).toBe(true);
  });

  test('the limit is C(16, 8)', () => {
    expect(EXACT_SEARCH_LIMIT).toBe(combinationsUpTo(16, 8, 1e9));
  });

  test('a large node with a small request is still searched exactly', () => {
    const t = randomTopology(64, prng(11), 'dense');
    const result = bestSet(matrixOf(t), 64, [], 2);
    expect(result.exact).toBe(true);
    let best = -1;
    for (let a = 0; a < 64; a++) for (let b = a + 1; b < 64; b++) best = Math.max(best, referenceSetScore(t, [a, b]));
    expect(referenceSetScore(t, result.positions)).toBe(best);
  });

  test('a large node asking for all but two GPUs is searched exactly', () => {
    const t = randomTopology(32, prng(12), 'sparse');
    const result = bestSet(matrixOf(t), 32, [5], 30);
    expect(result.exact).toBe(true);
    // Reference: try every pair to leave out; among the best, the lowest kept indices.
    const lexLess = (x: number[], y: number[]): boolean => {
      const i = x.findIndex((v, k) => v !== y[k]);
      return i >= 0 && x[i] < y[i];
    };
    let best = { score: -1, kept: [] as number[] };
    for (let a = 0; a < 32; a++) {
      for (let b = a + 1; b < 32; b++) {
        if (a === 5 || b === 5) continue;
        const kept = range(32).filter((p) => p !== a && p !== b);
        const score = referenceSetScore(t, kept);
        if (score > best.score || (score === best.score && lexLess(kept, best.kept))) best = { score, kept };
      }
    }
    expect(result.positions).toEqual(best.kept);
  });

  test.each([
    [3, [] as number[], [0, 1, 2]],
    [3, [9], [0, 1, 9]],
    [14, [] as number[], range(14)],
    [14, [15], [...range(13), 15]],
  ])('when every set ties, size %i with required %j keeps the lowest indices', (size, required, expected) => {
    const uniform = islands(1, 16, 0);
    expect(bestSet(matrixOf(uniform), 16, required, size).positions).toEqual(expected);
  });

  test('a search beyond the limit uses the greedy fallback', () => {
    const t = islands(4, 8, 18);
    expect(bestSet(matrixOf(t), 32, [], 8).exact).toBe(false);
  });

  test('required positions alone are returned when they fill the request', () => {
    const w = matrixOf(dgx1());
    expect(bestSet(w, 8, [5, 1], 2).positions).toEqual([1, 5]);
  });

  test('the reported score is the score of the returned set', () => {
    const t = dgx1();
    const r = bestSet(matrixOf(t), 8, [4], 3);
    expect(r.score).toBe(referenceSetScore(t, r.positions));
  });
});

describe('greedy fallback (more than 16 free GPUs)', () => {
  test.each([
    [8, [] as number[], [0, 1, 2, 3, 4, 5, 6, 7]],
    [8, [19], [16, 17, 18, 19, 20, 21, 22, 23]],
    [4, [9], [8, 9, 10, 11]],
  ])('size %i with required %j takes a whole NVLink island of a 4×8 node', (size, required, expected) => {
    expect(bestSet(matrixOf(islands(4, 8, 18)), 32, required, size).positions).toEqual(expected);
  });

  test('a request larger than an island takes one island whole, then the rest from one other', () => {
    const { positions } = bestSet(matrixOf(islands(4, 8, 18)), 32, [], 12);
    const perIsland = [0, 1, 2, 3].map((i) => positions.filter((p) => Math.floor(p / 8) === i).length);
    expect(perIsland.sort()).toEqual([0, 0, 4, 8]);
  });

  test.each(range(6).map((i) => [i]))(
    'on random 18-GPU topology %i it stays within 2% of the exhaustive optimum',
    (seed) => {
      const rand = prng(1000 + seed);
      const t = randomTopology(18, rand, seed % 2 === 0 ? 'dense' : 'sparse');
      const scores = allSubsetScores(t);
      const all = range(18);
      const w = matrixOf(t);
      const candidates = all.filter((p) => p !== 3);
      for (const size of [6, 10]) {
        const greedy = greedySet(w, 18, [], all, size);
        const withRequired = greedySet(w, 18, [3], candidates, size - 1);
        expect(greedy.positions).toHaveLength(size);
        expect(withRequired.positions).toContain(3);
        expect(referenceSetScore(t, greedy.positions)).toBeGreaterThanOrEqual(
          0.98 * exhaustiveOptimum(scores, all, [], size).score,
        );
        expect(referenceSetScore(t, withRequired.positions)).toBeGreaterThanOrEqual(
          0.98 * exhaustiveOptimum(scores, all, [3], size).score,
        );
      }
    },
  );
});
