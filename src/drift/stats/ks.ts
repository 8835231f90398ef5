/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(method="auto"):
 * exact p-value when both samples have ≤ 10,000 values, otherwise the finite-n Kolmogorov
 * distribution at n = round(n1·n2/(n1+n2)). In exact mode the statistic is snapped to the
 * lattice h/lcm(n1,n2), as scipy does.
 */
import { kolmogornSf } from "./kolmogorov.ts";
import { clamp01, gcd, roundHalfEven } from "./numeric.ts";

export const KS_MAX_EXACT_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymptotic";
}

/**
 * Max |F1 - F2| over the pooled sample, for two sorted samples, computed as scipy does: from
 * i/n1 − j/n2 at the end of each run of equal values. The walk takes one value per step (a run
 * of ties across both samples at once); inside a run of one sample's values F1 − F2 moves
 * monotonically between its two ends, so evaluating it there never exceeds the extremes at the
 * ends. The extremes are tracked on the exact integer i·n2 − j·n1 and turned into scipy's float
 * only when they move: while n1·n2 ≤ 2^48 distinct exact values are ≥ 2^-48 apart, far more
 * than the floats' rounding, so both orders agree; larger products take the float walk.
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 * n2 > 2 ** 48) return ksStatisticFloat(a, b);
  let i = 0;
  let j = 0;
  let dMax = 0;
  let dMin = 0;
  let maxS = 0;
  let minS = 0;
  while (i < n1 && j < n2) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) i++;
    else if (y < x) j++;
    else {
      while (i < n1 && a[i] === x) i++;
      while (j < n2 && b[j] === x) j++;
    }
    // Past either end F1 − F2 runs monotonically to 0 from a value already seen, so the loop
    // can stop there.
    const d = i * n2 - j * n1;
    if (d >= dMax) {
      const f = i / n1 - j / n2;
      maxS = d > dMax ? f : Math.max(maxS, f);
      dMax = d;
    } else if (d <= dMin) {
      const f = i / n1 - j / n2;
      minS = d < dMin ? f : Math.min(minS, f);
      dMin = d;
    }
  }
  return Math.max(Math.min(Math.max(-minS, 0), 1), maxS);
}

/** ksStatisticSorted's walk with the float difference at every step (any sample sizes). */
export function ksStatisticFloat(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = 0;
  let minS = 0;
  while (i < n1 && j < n2) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) i++;
    else if (y < x) j++;
    else {
      while (i < n1 && a[i] === x) i++;
      while (j < n2 && b[j] === x) j++;
    }
    const diff = i / n1 - j / n2;
    maxS = Math.max(maxS, diff);
    minS = Math.min(minS, diff);
  }
  return Math.max(Math.min(Math.max(-minS, 0), 1), maxS);
}

/** Pr(D_{n,n} >= h/n): closed-form alternating series, evaluated Horner-style. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * 1 − Pr(paths stay strictly inside |x/m − y/n| < h/lcm): Hodges' inside method with Viehmann's
 * recursion for the complement (scipy's _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let q = minj; q < maxj; q++) A[q] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (let q = maxj - minj; q < maxj - minj + (lastlen - curlen); q++) A[q] = 1;
    }
  }
  return A[maxj - minj - 1]!;
}

/** KS on two already-sorted samples (avoids re-sorting when the caller holds sorted copies). */
export function ksTestSorted(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("ks: samples must not be empty");
  let d = ksStatisticSorted(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: "exact" };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (Number.isFinite(prob) && prob >= 0 && prob <= 1)
      return { statistic: d, pValue: prob, method: "exact" };
    // As scipy: an unsuccessful exact computation falls back to the asymptotic distribution.
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: clamp01(kolmogornSf(roundHalfEven(en), d)), method: "asymptotic" };
}
