/**
 * One drift score for every test: how far a result is toward its own test's threshold, so that
 * score ≥ 1 exactly when the test says drifted, whatever the test. Raw statistics are on
 * incomparable scales (a chi-square of 44.6, a KS D of 0.4, a Wasserstein distance of 0.08); the
 * score is what a dashboard or an alert rule can compare across features.
 *
 * - Distance tests (drifted when statistic ≥ threshold: wasserstein, psi, kl_div, jensenshannon,
 *   hellinger, ed, component ratio): score = statistic / threshold. 0 = identical, 1 = at the
 *   threshold, 2 = twice the threshold. An infinite distance (KL with a category absent from the
 *   reference) is the cap.
 * - p-value tests (drifted when p < threshold: ks, chisquare, anderson, MMD, …):
 *   score = ln(p) / ln(threshold) = log10(1/p) / log10(1/threshold). 0 = p of 1 (no evidence),
 *   1 = at the threshold, and every further factor of `threshold` in p adds 1 (threshold 0.05:
 *   p = 0.0025 → 2, p = 1.25e-4 → 3). Logarithmic because p-values span hundreds of orders of
 *   magnitude: threshold / p would put every p above the threshold into [threshold, 1) and
 *   a p of 1e-300 at 5e298. p = 0 (underflow) is the cap. At p = threshold exactly the test does not
 *   call it drifted, so neither does the score: it is kept just below 1.
 *
 * Scores are capped at SCORE_CAP: past it a feature is beyond doubt drifted, and a finite value
 * keeps dashboards and sums usable. A missing or NaN p-value (or a NaN distance) has no score.
 */

export const SCORE_CAP = 100;

/** The largest double below 1: "not drifted" at a p-value equal to its threshold. */
const JUST_BELOW_ONE = 1 - Number.EPSILON / 2;

export type Verdict = "p_value" | "distance";

export interface ScoreInput {
  verdict: Verdict;
  threshold: number;
  /** Distance tests: the statistic; null when it was not finite (see `drifted`). */
  statistic?: number | null;
  /** p-value tests. */
  pValue?: number | null;
  /** The stored verdict: tells an infinite distance (stored as null, drifted) from a NaN one. */
  drifted?: boolean;
}

/** The normalised drift score (≥ 1 ⇔ drifted), or undefined when the result has none. */
export function driftScore(r: ScoreInput): number | undefined {
  const t = r.threshold;
  if (!(t > 0)) return undefined;
  if (r.verdict === "distance") {
    const s = r.statistic;
    if (s === null || s === undefined || Number.isNaN(s)) return r.drifted ? SCORE_CAP : undefined;
    if (s === Number.POSITIVE_INFINITY) return SCORE_CAP;
    return Math.min(Math.max(s, 0) / t, SCORE_CAP);
  }
  const p = r.pValue;
  if (p === null || p === undefined || Number.isNaN(p)) return undefined;
  // A threshold of 1 or more says "drifted unless p is at least it": the scale has no room.
  if (t >= 1) return p < t ? 1 : 0;
  if (p <= 0) return SCORE_CAP;
  if (p >= 1) return 0;
  const raw = Math.log(p) / Math.log(t);
  return p < t ? Math.min(Math.max(raw, 1), SCORE_CAP) : Math.min(raw, JUST_BELOW_ONE);
}
