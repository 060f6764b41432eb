/**
 * Finds the set of GPUs with the highest total pair score.
 *
 * NVIDIA's best-effort policy enumerates every partition of the available GPUs into sets
 * of `size` (2,027,025 partitions for 16 GPUs in pairs), keeps the partition with the
 * highest total, and returns that partition's best set; it also re-reads NVML links on
 * every call, which takes seconds on big nodes (k8s-device-plugin#774). We optimise what
 * the request is about, the set handed to this container: among subsets, not partitions,
 * so at most C(16, 8) = 12,870 candidates on a 16-GPU node, and far fewer visited thanks
 * to branch-and-bound (small requests) or searching the GPUs to leave out (large ones).
 * The two objectives can disagree when keeping the leftover GPUs well connected would
 * cost this container some score; we favour the container that asks.
 *
 * Positions 0..n-1 index the score matrix; callers order them by GPU index, so "the
 * lexicographically smallest set" means "the lowest GPU indices".
 */

/**
 * The exact search runs when the number of subsets to examine is at most this many:
 * C(16, 8), every request on a node with up to 16 GPUs. Bigger searches use the greedy
 * fallback so that no request can take long.
 */
export const EXACT_SEARCH_LIMIT = 12_870;

export interface SearchResult {
  /** Chosen positions, ascending. */
  positions: number[];
  /** Sum of the pair scores inside the set. */
  score: number;
  /** Whether the set is a proven optimum (exact search) or the greedy fallback's answer. */
  exact: boolean;
}

/** C(n, k), or `cap + 1` as soon as it exceeds `cap` (avoids huge numbers). */
export function combinationsUpTo(n: number, k: number, cap: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) {
    c = (c * (n - kk + i)) / i;
    if (c > cap) return cap + 1;
  }
  return Math.round(c);
}

/** Total pair score of `positions` under the n×n matrix `w`. */
export function setScore(w: Int32Array, n: number, positions: readonly number[]): number {
  let s = 0;
  for (let a = 0; a < positions.length; a++) {
    for (let b = a + 1; b < positions.length; b++) s += w[positions[a] * n + positions[b]];
  }
  return s;
}

/**
 * The `size` positions out of 0..n-1 that contain every `required` position and have the
 * highest total pair score. Ties go to the lexicographically smallest set.
 */
export function bestSet(w: Int32Array, n: number, required: readonly number[], size: number): SearchResult {
  const req = [...new Set(required)].sort((a, b) => a - b);
  const isRequired = new Uint8Array(n);
  for (const r of req) isRequired[r] = 1;
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (!isRequired[i]) candidates.push(i);
  const need = size - req.length;
  if (need <= 0) return { positions: req, score: setScore(w, n, req), exact: true };
  if (need === candidates.length) {
    const all = [...Array(n).keys()];
    return { positions: all, score: setScore(w, n, all), exact: true };
  }
  if (combinationsUpTo(candidates.length, need, EXACT_SEARCH_LIMIT) > EXACT_SEARCH_LIMIT) {
    return greedySet(w, n, req, candidates, need);
  }
  // Choosing most of the GPUs is choosing the few to leave out, a shallower search.
  if (2 * need > candidates.length) return exactByExclusion(w, n, candidates, need);
  return exactSet(w, n, req, candidates, need, greedySet(w, n, req, candidates, need));
}

/**
 * Depth-first enumeration of the candidate subsets in lexicographic order with an upper
 * bound: the score so far, plus the best `r` gains any remaining candidate can add towards
 * the set built so far, plus `r(r-1)/2` times the largest pair score among candidates. A
 * branch whose bound cannot beat the best set found is cut. The greedy answer seeds the
 * search as a threshold (best - 1), so a set as good as greedy's but lexicographically
 * smaller still wins, which keeps ties deterministic.
 */
function exactSet(
  w: Int32Array,
  n: number,
  req: readonly number[],
  candidates: readonly number[],
  need: number,
  seed: SearchResult,
): SearchResult {
  const c = candidates.length;
  // gain[i]: what candidate i adds to the current set (sum of its pair scores with it).
  const gain = new Int32Array(c);
  let base = 0;
  for (let a = 0; a < req.length; a++) {
    for (let b = a + 1; b < req.length; b++) base += w[req[a] * n + req[b]];
  }
  for (let i = 0; i < c; i++) {
    let g = 0;
    for (const r of req) g += w[candidates[i] * n + r];
    gain[i] = g;
  }
  // wc: the candidates' own pair scores, indexed by candidate position.
  const wc = new Int32Array(c * c);
  let maxPair = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const s = w[candidates[i] * n + candidates[j]];
      wc[i * c + j] = s;
      if (i !== j && s > maxPair) maxPair = s;
    }
  }

  let bestScore = seed.score - 1;
  let bestPicks: number[] | undefined;
  const picks = new Int32Array(need);
  const top = new Int32Array(need); // scratch for the bound: the largest gains, descending

  const visit = (from: number, depth: number, score: number): void => {
    if (depth === need) {
      if (score > bestScore) {
        bestScore = score;
        bestPicks = Array.from(picks);
      }
      return;
    }
    const r = need - depth;
    // Upper bound over every completion of this branch.
    let filled = 0;
    for (let i = from; i < c; i++) {
      const g = gain[i];
      if (filled < r) {
        let k = filled++;
        while (k > 0 && top[k - 1] < g) {
          top[k] = top[k - 1];
          k--;
        }
        top[k] = g;
      } else if (g > top[r - 1]) {
        let k = r - 1;
        while (k > 0 && top[k - 1] < g) {
          top[k] = top[k - 1];
          k--;
        }
        top[k] = g;
      }
    }
    let bound = score + (maxPair * r * (r - 1)) / 2;
    for (let k = 0; k < r; k++) bound += top[k];
    if (bound <= bestScore) return;

    for (let i = from; i <= c - r; i++) {
      picks[depth] = i;
      const row = i * c;
      for (let j = i + 1; j < c; j++) gain[j] += wc[row + j];
      visit(i + 1, depth + 1, score + gain[i]);
      for (let j = i + 1; j < c; j++) gain[j] -= wc[row + j];
    }
  };
  visit(0, 0, base);

  if (bestPicks === undefined) return { ...seed, exact: true };
  const positions = [...req, ...bestPicks.map((i) => candidates[i])].sort((a, b) => a - b);
  return { positions, score: bestScore, exact: true };
}

/**
 * Exact search over the GPUs to leave out. Every position is either required or a
 * candidate, so a set's score is the score of all GPUs minus the loss of the excluded
 * ones: their pair scores with everything, less those counted twice among themselves.
 * The loss only grows as GPUs are excluded, so a branch is cut as soon as it exceeds the
 * best loss. Ties: enumerating exclusions in lexicographic order and keeping the LAST
 * equal one yields the lexicographically smallest kept set.
 */
function exactByExclusion(w: Int32Array, n: number, candidates: readonly number[], need: number): SearchResult {
  const c = candidates.length;
  const drop = c - need;
  const degree = new Int32Array(c);
  for (let i = 0; i < c; i++) {
    let d = 0;
    for (let x = 0; x < n; x++) d += w[candidates[i] * n + x];
    degree[i] = d;
  }
  // shared[j]: candidate j's pair scores with the GPUs excluded so far.
  const shared = new Int32Array(c);
  const excluded = new Int32Array(drop);
  let bestLoss = Infinity;
  let bestExcluded: number[] = [];

  const visit = (from: number, depth: number, loss: number): void => {
    if (loss > bestLoss) return;
    if (depth === drop) {
      bestLoss = loss;
      bestExcluded = Array.from(excluded);
      return;
    }
    for (let i = from; i <= c - (drop - depth); i++) {
      excluded[depth] = i;
      const row = candidates[i] * n;
      for (let j = i + 1; j < c; j++) shared[j] += w[row + candidates[j]];
      visit(i + 1, depth + 1, loss + degree[i] - shared[i]);
      for (let j = i + 1; j < c; j++) shared[j] -= w[row + candidates[j]];
    }
  };
  visit(0, 0, 0);

  // Required positions are never candidates, so they are always kept.
  const out = new Set(bestExcluded.map((i) => candidates[i]));
  const positions = [...Array(n).keys()].filter((p) => !out.has(p));
  return { positions, score: setScore(w, n, positions), exact: true };
}

/**
 * Fallback for searches too large to enumerate (more than 16 free GPUs with a mid-sized
 * request): grow a set greedily from each possible first candidate, keep the best, then
 * swap members for outsiders while that raises the score. Not a proven optimum, but it
 * finds whole NVLink islands and costs O(n²·size) per start.
 */
export function greedySet(
  w: Int32Array,
  n: number,
  req: readonly number[],
  candidates: readonly number[],
  need: number,
): SearchResult {
  // Every candidate is tried as the first pick next to the required GPUs: one greedy run
  // from a single anchor misses the optimum too often on irregular topologies.
  const starts = candidates.map((c) => [...req, c]);
  let best: number[] = [];
  let bestScore = -1;
  for (const start of starts) {
    const set = grow(w, n, start, candidates, need - (start.length - req.length));
    const s = setScore(w, n, set);
    if (s > bestScore) {
      bestScore = s;
      best = set;
    }
  }
  const positions = improveBySwaps(w, n, best, new Set(req)).sort((a, b) => a - b);
  return { positions, score: setScore(w, n, positions), exact: false };
}

/** Adds `count` candidates to `start`, each time the one with the highest gain (lowest position on ties). */
function grow(
  w: Int32Array,
  n: number,
  start: readonly number[],
  candidates: readonly number[],
  count: number,
): number[] {
  const set = [...start];
  const inSet = new Uint8Array(n);
  const gain = new Float64Array(n);
  const add = (p: number): void => {
    inSet[p] = 1;
    for (let j = 0; j < n; j++) gain[j] += w[p * n + j];
  };
  for (const p of set) add(p);
  for (let added = 0; added < count; added++) {
    let pick = -1;
    for (const cand of candidates) {
      if (!inSet[cand] && (pick < 0 || gain[cand] > gain[pick])) pick = cand;
    }
    set.push(pick);
    add(pick);
  }
  return set;
}

/** First-improvement 1-swap local search; scores are integers, so it terminates. */
function improveBySwaps(w: Int32Array, n: number, start: number[], fixed: ReadonlySet<number>): number[] {
  const set = [...start];
  const inSet = new Uint8Array(n);
  for (const p of set) inSet[p] = 1;
  let improved = true;
  while (improved) {
    improved = false;
    for (let a = 0; a < set.length && !improved; a++) {
      const out = set[a];
      if (fixed.has(out)) continue;
      let outGain = 0;
      for (const p of set) outGain += w[out * n + p];
      for (let cand = 0; cand < n && !improved; cand++) {
        if (inSet[cand]) continue;
        let inGain = 0;
        for (const p of set) if (p !== out) inGain += w[cand * n + p];
        if (inGain > outGain) {
          set[a] = cand;
          inSet[out] = 0;
          inSet[cand] = 1;
          improved = true;
        }
      }
    }
  }
  return set;
}
