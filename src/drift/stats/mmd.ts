/**
 * Empirical maximum mean discrepancy with an RBF kernel and a seeded permutation p-value.
 * - Bandwidth σ: median heuristic, the median of pairwise |xi − xj| over the pooled sample (1 if 0).
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

function subsample(x: ArrayLike<number>, max: number, seed: number): Float64Array {
  const out = Float64Array.from(x);
  const n = out.length;
  if (n <= max) return out;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(uniformAt(seed, i) * (n - i));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out.slice(0, max);
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function mmdTest(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: MmdOptions = {}): MmdResult {
  const permutations = options.permutations ?? 100;
  const max = options.maxSamples ?? 500;
  const seed = options.seed ?? 0;
  const x = subsample(xIn, max, seed + 1);
  const y = subsample(yIn, max, seed + 2);
  const n = x.length;
  const m = y.length;
  const N = n + m;
  const z = new Float64Array(N);
  z.set(x);
  z.set(y, n);
  const pair = new Float64Array((N * (N - 1)) / 2);
  let q = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) pair[q++] = Math.abs(z[i]! - z[j]!);
  let sigma = median(pair);
  if (sigma === 0) sigma = 1;
  const K = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    K[i * N + i] = 1;
    for (let j = i + 1; j < N; j++) {
      const d = z[i]! - z[j]!;
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
  return { statistic: observed, pValue: (count + 1) / (permutations + 1) };
}
