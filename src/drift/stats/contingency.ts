/**
 * Tests on a 2×k table of category counts (row 0 = reference, row 1 = current):
 * chi-square and G-test as scipy.stats.chi2_contingency (Yates' correction when dof = 1),
 * two-proportion z-test, Fisher's exact test (2×2, two-sided) as scipy.stats.fisher_exact.
 */
import gammainc from "@stdlib/math-base-special-gammainc";
import hypergeomPmf from "@stdlib/stats-base-dists-hypergeometric-pmf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { clamp01 } from "./numeric.ts";

export interface TableResult {
  statistic: number;
  pValue: number;
}

/** Chi-square survival function Q(k/2, x/2) — the upper incomplete gamma, no 1 − cdf cancellation. */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
}

/** chi2_contingency on the 2×k table; `lambda` "pearson" (chi-square) or "log-likelihood" (G). */
export function contingencyTest(
  refCounts: ArrayLike<number>,
  curCounts: ArrayLike<number>,
  lambda: "pearson" | "log-likelihood",
): TableResult {
  const k = refCounts.length;
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < k; i++) {
    n1 += refCounts[i]!;
    n2 += curCounts[i]!;
  }
  const total = n1 + n2;
  const dof = k - 1; // (rows − 1)(cols − 1) with 2 rows
  if (dof === 0) return { statistic: 0, pValue: 1 };
  let stat = 0;
  for (let r = 0; r < 2; r++) {
    const rowSum = r === 0 ? n1 : n2;
    const counts = r === 0 ? refCounts : curCounts;
    for (let i = 0; i < k; i++) {
      const colSum = refCounts[i]! + curCounts[i]!;
      const expected = (rowSum * colSum) / total;
      let observed = counts[i]!;
      if (dof === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      if (lambda === "pearson") stat += (observed - expected) ** 2 / expected;
      else stat += observed === 0 ? 0 : 2 * observed * Math.log(observed / expected);
    }
  }
  return { statistic: stat, pValue: chi2Sf(stat, dof) };
}

/**
 * Two-proportion z-test: share of the first category in reference vs current, pooled variance.
 * p = 2·Φ(−|z|) (same as Evidently's 2·(1 − Φ(|z|)) without its cancellation).
 */
export function zTest(refFirst: number, n1: number, curFirst: number, n2: number): TableResult {
  const p1 = refFirst / n1;
  const p2 = curFirst / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  if (P <= 0 || P >= 1) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: clamp01(2 * normalCdf(-Math.abs(z), 0, 1)) };
}

/**
 * The whole hypergeometric pmf over its support, anchored at the mode with stdlib's pmf and filled
 * outward by the exact term ratio. Ratios keep values that are mathematically equal equal to a few
 * ulps, which Fisher's two-sided rule needs (it compares pmf values with a 1e-14 relative
 * tolerance; independent log-gamma evaluations are only good to ~1e-13 at these sizes).
 */
function hypergeomTable(N: number, K: number, n: number): { lo: number; pmf: Float64Array } {
  const lo = Math.max(0, n + K - N);
  const hi = Math.min(n, K);
  const pmf = new Float64Array(hi - lo + 1);
  const mode = Math.min(hi, Math.max(lo, Math.trunc(((n + 1) * (K + 1)) / (N + 2))));
  pmf[mode - lo] = hypergeomPmf(mode, N, K, n);
  for (let i = mode; i < hi; i++) {
    pmf[i + 1 - lo] = (pmf[i - lo]! * ((K - i) * (n - i))) / ((i + 1) * (N - K - n + i + 1));
  }
  for (let i = mode; i > lo; i--) {
    pmf[i - 1 - lo] = (pmf[i - lo]! * (i * (N - K - n + i))) / ((K - i + 1) * (n - i + 1));
  }
  return { lo, pmf };
}
/** scipy's _binary_search_for_binom_tst. */
function binarySearch(a: (x: number) => number, d: number, lo0: number, hi0: number): number {
  let lo = lo0;
  let hi = hi0;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const midval = a(mid);
    if (midval < d) lo = mid + 1;
    else if (midval > d) hi = mid - 1;
    else return mid;
  }
  return a(lo) <= d ? lo : lo - 1;
}

/** Fisher's exact test on [[a, b], [c, d]], two-sided (scipy's algorithm); statistic = sample odds ratio. */
export function fisherExact(a: number, b: number, c: number, d: number): TableResult {
  if (a + c === 0 || b + d === 0 || a + b === 0 || c + d === 0) return { statistic: Number.NaN, pValue: 1 };
  const oddsratio = c > 0 && b > 0 ? (a * d) / (c * b) : Number.POSITIVE_INFINITY;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const table = hypergeomTable(n1 + n2, n1, n);
  const last = table.lo + table.pmf.length - 1;
  const pmf = (x: number) => (x < table.lo || x > last ? 0 : table.pmf[x - table.lo]!);
  // Tails summed from the far (small) end first.
  const cdf = (x: number) => {
    let s = 0;
    for (let i = table.lo; i <= Math.min(x, last); i++) s += pmf(i);
    return Math.min(s, 1);
  };
  const sf = (x: number) => {
    let s = 0;
    for (let i = last; i > Math.max(x, table.lo - 1); i--) s += pmf(i);
    return Math.min(s, 1);
  };
  const mode = Math.trunc(((n + 1) * (n1 + 1)) / (n1 + n2 + 2));
  const pexact = pmf(a);
  const pmode = pmf(mode);
  const epsilon = 1e-14;
  const gamma = 1 + epsilon;
  let pvalue: number;
  if (Math.abs(pexact - pmode) / Math.max(pexact, pmode) <= epsilon)
    return { statistic: oddsratio, pValue: 1 };
  if (a < mode) {
    const plower = cdf(a);
    if (pmf(n) > pexact * gamma) return { statistic: oddsratio, pValue: plower };
    const guess = binarySearch((x) => -pmf(x), -pexact * gamma, mode, n);
    pvalue = plower + sf(guess);
  } else {
    const pupper = sf(a - 1);
    if (pmf(0) > pexact * gamma) return { statistic: oddsratio, pValue: pupper };
    const guess = binarySearch(pmf, pexact * gamma, 0, mode);
    pvalue = pupper + cdf(guess);
  }
  return { statistic: oddsratio, pValue: Math.min(pvalue, 1) };
}
