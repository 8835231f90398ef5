/**
 * Mann–Whitney U as scipy.stats.mannwhitneyu defaults: two-sided, continuity correction,
 * method "auto" (exact when a sample has ≤ 8 values and there are no ties, else the normal
 * approximation with tie correction). Statistic is U of the first (reference) sample.
 * One deliberate difference: scipy's exact distribution costs O((n1·n2)²); past n1·n2 > 20,000
 * (e.g. 8 vs 100,000 values, where scipy would run for hours) we use the normal approximation.
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { clamp01, sum } from "./numeric.ts";
import { pooledRanks } from "./ranks.ts";

export const MWU_MAX_EXACT_PRODUCT = 20_000;

/** Survival-style tail Pr(U ≤ k) via Löffler's recursion (scipy's _MWU.cdf). */
function exactCdf(k: number, n1In: number, n2In: number): { cdf: Float64Array } {
  const n1 = Math.min(n1In, n2In);
  const n2 = Math.max(n1In, n2In);
  const s = new Float64Array(k + 1);
  for (let d = 1; d <= n1; d++) for (let idx = d; idx <= k; idx += d) s[idx]! += d;
  for (let d = n2 + 1; d <= n2 + n1; d++) for (let idx = d; idx <= k; idx += d) s[idx]! -= d;
  const conf = new Float64Array(k + 1);
  conf[0] = 1;
  let isUint = true;
  for (let u = 1; u <= k; u++) {
    let acc = 0;
    for (let i = 0; i < u; i++) acc += conf[i]! * s[u - i]!;
    let val = acc / u;
    // scipy keeps counts in uint64 (truncating) until one exceeds its max, then switches to float.
    if (isUint && val > 2 ** 64) isUint = false;
    if (isUint) val = Math.trunc(val);
    conf[u] = val;
  }
  let total = 1;
  for (let i = 1; i <= n1; i++) total = (total * (n2 + i)) / i;
  total = Math.round(total);
  const cdf = new Float64Array(k + 1);
  let c = 0;
  for (let u = 0; u <= k; u++) {
    c += conf[u]! / total;
    cdf[u] = c;
  }
  return { cdf };
}

export interface MwuResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymptotic";
}

export function mannWhitneySorted(x: Float64Array, y: Float64Array): MwuResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("mannw: samples must not be empty");
  const { ranksA, tieTerm, hasTies } = pooledRanks(x, y);
  const R1 = sum(ranksA);
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  const U2 = n1 * n2 - U1;
  const U = Math.max(U1, U2);
  const exact = !(n1 > 8 && n2 > 8) && !hasTies && n1 * n2 <= MWU_MAX_EXACT_PRODUCT;
  if (exact) {
    // p = 2·sf(U) with sf(U) = cdf(n1·n2 − U) since U ≥ n1·n2/2 (scipy's _MWU.sf branch).
    const kc = n1 * n2 - U;
    let p: number;
    if (U < kc) {
      const { cdf } = exactCdf(U, n1, n2);
      const pmf = U === 0 ? cdf[0]! : cdf[U]! - cdf[U - 1]!;
      p = 1 - cdf[U]! + pmf;
    } else {
      p = exactCdf(kc, n1, n2).cdf[kc]!;
    }
    return { statistic: U1, pValue: clamp01(2 * p), method: "exact" };
  }
  const mu = (n1 * n2) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (U - mu - 0.5) / sd;
  const p = sd === 0 ? Number.NaN : normalCdf(-z, 0, 1);
  return { statistic: U1, pValue: Number.isNaN(p) ? 1 : clamp01(2 * p), method: "asymptotic" };
}
