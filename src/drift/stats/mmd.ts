/**
 * Empirical maximum mean discrepancy with an RBF kernel and a seeded permutation p-value, for
 * numbers (`mmdTest`) and for vectors (`mmdTestVectors`, embeddings: the kernel on Euclidean
 * distance). Both share one core over the pooled sample's pairwise distances:
 * - Bandwidth σ: median heuristic, the median of pairwise distances over the pooled sample (1 if 0).
 * - Statistic: biased MMD² = mean K(X,X) + mean K(Y,Y) − 2 mean K(X,Y).
 * - p = (1 + #{permutations with MMD² ≥ observed}) / (1 + permutations), permutations from the
 *   shared counter-based generator, so results are reproducible (and match the Python mirror).
 * - Cost is quadratic, so each sample is first reduced to at most `maxSamples` values by a seeded
 *   partial shuffle. There is no scipy equivalent; fixtures come from a numpy implementation.
 */
import { uniformAt } from "./generate.ts";

export interface MmdOptions {
  permutations?: number;
  maxSamples?: number;
  seed?: number;
}

export interface MmdResult {
  statistic: number;
  pValue: number;
}

export interface MmdDetails extends MmdResult {
  /** The RBF bandwidth σ the median heuristic chose. */
  bandwidth: number;
  permutations: number;
  /** Sizes actually compared, after the cap. */
  referenceSize: number;
  currentSize: number;
  /** Either side was larger than maxSamples and was subsampled. */
  sampled: boolean;
}

/** The first `max` positions of a seeded partial shuffle of 0..n−1 (all of them, in order, if n ≤ max). */
function sampleIndices(n: number, max: number, seed: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n <= max) return idx;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(uniformAt(seed, i) * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, max);
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * The test on a pooled sample of N = n + m points (the first n from X), given the upper triangle of
 * its pairwise distances, row by row: pair[(i, j)] for i < j.
 */
function mmdFromDistances(
  n: number,
  m: number,
  pair: Float64Array,
  permutations: number,
  seed: number,
): MmdResult & { bandwidth: number } {
  const N = n + m;
  let sigma = median(pair);
  if (sigma === 0) sigma = 1;
  const K = new Float64Array(N * N);
  let q = 0;
  for (let i = 0; i < N; i++) {
    K[i * N + i] = 1;
    for (let j = i + 1; j < N; j++) {
      const d = pair[q++]!;
      const v = Math.exp(-(d * d) / (2 * sigma * sigma));
      K[i * N + j] = v;
      K[j * N + i] = v;
    }
  }
  const inX = new Uint8Array(N);
  const stat = (idx: Int32Array): number => {
    inX.fill(0);
    for (let i = 0; i < n; i++) inX[idx[i]!] = 1;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < N; i++) {
      const row = i * N;
      const xi = inX[i]!;
      for (let j = 0; j < N; j++) {
        const k = K[row + j]!;
        if (xi && inX[j]) sxx += k;
        else if (!xi && !inX[j]) syy += k;
        else sxy += k;
      }
    }
    // sxy counted both (i in X, j in Y) and (i in Y, j in X).
    return sxx / (n * n) + syy / (m * m) - sxy / (n * m);
  };
  const idx = new Int32Array(N);
  for (let i = 0; i < N; i++) idx[i] = i;
  const observed = stat(idx);
  const tol = 1e-12 * Math.max(1, Math.abs(observed));
  let count = 0;
  for (let p = 0; p < permutations; p++) {
    const perm = Int32Array.from(idx);
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(uniformAt(seed + 1000 + p, i) * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    if (stat(perm) >= observed - tol) count++;
  }
  return { statistic: observed, pValue: (count + 1) / (permutations + 1), bandwidth: sigma };
}

export function mmdTest(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: MmdOptions = {}): MmdResult {
  const max = options.maxSamples ?? 500;
  const seed = options.seed ?? 0;
  const xi = sampleIndices(xIn.length, max, seed + 1);
  const yi = sampleIndices(yIn.length, max, seed + 2);
  const z = new Float64Array(xi.length + yi.length);
  for (let i = 0; i < xi.length; i++) z[i] = xIn[xi[i]!]!;
  for (let i = 0; i < yi.length; i++) z[xi.length + i] = yIn[yi[i]!]!;
  const N = z.length;
  const pair = new Float64Array((N * (N - 1)) / 2);
  let q = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) pair[q++] = Math.abs(z[i]! - z[j]!);
  const r = mmdFromDistances(xi.length, yi.length, pair, options.permutations ?? 100, seed);
  return { statistic: r.statistic, pValue: r.pValue };
}

/**
 * MMD between two samples of vectors of one dimension (embeddings), with the same sampling,
 * bandwidth rule and permutation scheme as the 1-D test; the distance is Euclidean.
 */
export function mmdTestVectors(
  xIn: readonly ArrayLike<number>[],
  yIn: readonly ArrayLike<number>[],
  options: MmdOptions = {},
): MmdDetails {
  const max = options.maxSamples ?? 500;
  const seed = options.seed ?? 0;
  const permutations = options.permutations ?? 100;
  const xi = sampleIndices(xIn.length, max, seed + 1);
  const yi = sampleIndices(yIn.length, max, seed + 2);
  const points = [...Array.from(xi, (i) => xIn[i]!), ...Array.from(yi, (i) => yIn[i]!)];
  const N = points.length;
  const dim = points[0]?.length ?? 0;
  const pair = new Float64Array((N * (N - 1)) / 2);
  let q = 0;
  for (let i = 0; i < N; i++) {
    const a = points[i]!;
    for (let j = i + 1; j < N; j++) {
      const b = points[j]!;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = a[d]! - b[d]!;
        s += t * t;
      }
      pair[q++] = Math.sqrt(s);
    }
  }
  const r = mmdFromDistances(xi.length, yi.length, pair, permutations, seed);
  return {
    ...r,
    permutations,
    referenceSize: xi.length,
    currentSize: yi.length,
    sampled: xIn.length > max || yIn.length > max,
  };
}
