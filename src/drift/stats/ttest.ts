/** Welch's unequal-variance t-test, two-sided, as scipy.stats.ttest_ind(equal_var=False). */
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import { clamp01, mean, variance } from "./numeric.ts";

export interface TTestResult {
  statistic: number;
  pValue: number;
  df: number;
}

export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>): TTestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 < 2 || n2 < 2) throw new RangeError("t_test: each sample needs at least two values");
  const v1 = variance(x, 1) / n1;
  const v2 = variance(y, 1) / n2;
  const diff = mean(x) - mean(y);
  const se = Math.sqrt(v1 + v2);
  if (se === 0) {
    // Both samples constant: no evidence of difference when equal, certain difference otherwise.
    return {
      statistic: diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY,
      pValue: diff === 0 ? 1 : 0,
      df: n1 + n2 - 2,
    };
  }
  // Welch–Satterthwaite df, written with the variance shares so tiny variances cannot underflow.
  const w1 = v1 / (v1 + v2);
  const w2 = v2 / (v1 + v2);
  const df = 1 / (w1 ** 2 / (n1 - 1) + w2 ** 2 / (n2 - 1));
  const t = diff / se;
  return { statistic: t, pValue: clamp01(2 * tCdf(-Math.abs(t), df)), df };
}
