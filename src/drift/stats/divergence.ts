/**
 * Divergences between two aligned probability vectors (see binning.ts for how they are made).
 * PSI, KL and JS take epsilon-filled vectors; KL and JS renormalise first, as scipy's
 * `entropy` and `jensenshannon` do. Natural logarithms throughout.
 */
import { fillZeroes } from "./binning.ts";

/** Population Stability Index: Σ (r − c)·ln(r / c). */
export function psi(reference: Float64Array, current: Float64Array): number {
  const r = fillZeroes(reference);
  const c = fillZeroes(current);
  let s = 0;
  for (let i = 0; i < r.length; i++) s += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return s;
}

function normalised(p: Float64Array): Float64Array {
  let t = 0;
  for (const v of p) t += v;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i]! / t;
  return out;
}

const relEntr = (a: number, b: number): number => (a === 0 ? 0 : a * Math.log(a / b));

/** Kullback–Leibler divergence KL(reference ‖ current) (scipy.stats.entropy(r, c)). */
export function klDivergence(reference: Float64Array, current: Float64Array): number {
  const r = normalised(fillZeroes(reference));
  const c = normalised(fillZeroes(current));
  let s = 0;
  for (let i = 0; i < r.length; i++) s += relEntr(r[i]!, c[i]!);
  return s;
}

/** Jensen–Shannon distance (the square root of the divergence), scipy.spatial.distance.jensenshannon. */
export function jensenShannonDistance(reference: Float64Array, current: Float64Array): number {
  const p = normalised(fillZeroes(reference));
  const q = normalised(fillZeroes(current));
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    s += relEntr(p[i]!, m) + relEntr(q[i]!, m);
  }
  return Math.sqrt(Math.max(s / 2, 0));
}

/** Hellinger distance in [0, 1]: √(Σ(√r − √c)²) / √2, on raw proportions. */
export function hellinger(reference: Float64Array, current: Float64Array): number {
  let s = 0;
  for (let i = 0; i < reference.length; i++) s += (Math.sqrt(reference[i]!) - Math.sqrt(current[i]!)) ** 2;
  return Math.sqrt(s) / Math.SQRT2;
}
