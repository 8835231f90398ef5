import { DRIFT_TESTS, driftScore } from "../../drift/stats/index.ts";
import type { FeatureResult, Report } from "./types.ts";

/** A feature's drift score on the one scale every test shares (≥ 1 ⇔ drifted), or null. */
export function featureScore(f: FeatureResult): number | null {
  const verdict = f.test ? DRIFT_TESTS.get(f.test as never)?.verdict : undefined;
  if (!verdict || f.threshold === undefined) return null;
  const s = driftScore({
    verdict,
    threshold: f.threshold,
    statistic: f.statistic,
    pValue: f.pValue,
    drifted: f.drifted,
  });
  return s === undefined ? null : Number(s.toFixed(4));
}

/**
 * Each feature's drift score over the reports, oldest first: the lines of a monitor's chart, plus
 * the threshold line at 1. Reports that ran no test (insufficient data, error) are gaps.
 */
export function driftSeries(reports: Report[]): {
  x: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
} {
  const ordered = [...reports].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const names: string[] = [];
  for (const r of ordered) for (const f of r.features) if (!names.includes(f.name)) names.push(f.name);
  const series = names.map((name) => ({
    label: name,
    values: ordered.map((r) => {
      const f = r.features.find((x) => x.name === name);
      return f ? featureScore(f) : null;
    }),
  }));
  return {
    x: ordered.map((r) => Date.parse(r.createdAt) / 1000),
    series: [...series, { label: "threshold", values: ordered.map(() => 1) }],
  };
}

export interface FeatureRow extends FeatureResult {
  score: number | null;
}

/** A report's features, drifted first, then by score. */
export function reportFeatures(report: Report): FeatureRow[] {
  const rows = report.features.map((f) => ({ ...f, score: featureScore(f) }));
  if (report.prediction)
    rows.push({
      ...report.prediction,
      name: `${report.prediction.name} (prediction)`,
      score: featureScore(report.prediction),
    });
  return rows.sort((a, b) => Number(b.drifted) - Number(a.drifted) || (b.score ?? -1) - (a.score ?? -1));
}

/**
 * A report's performance (when labels exist): each metric of the reference and current windows,
 * and which metric judges the verdict (its change against the allowed drop).
 */
export function performanceRows(perf: Record<string, unknown> | null): {
  rows: Array<{ metric: string; reference: number | null; current: number | null; primary: boolean }>;
  change: number | null;
  degraded: boolean;
} {
  if (!perf) return { rows: [], change: null, degraded: false };
  const metricsOf = (side: unknown) =>
    ((side as { metrics?: Record<string, unknown> } | undefined)?.metrics ?? {}) as Record<string, unknown>;
  const ref = metricsOf(perf.reference);
  const cur = metricsOf(perf.current);
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  const rows = [...new Set([...Object.keys(ref), ...Object.keys(cur)])].map((metric) => ({
    metric,
    reference: num(ref[metric]),
    current: num(cur[metric]),
    primary: metric === perf.metric,
  }));
  return { rows, change: num(perf.change), degraded: perf.degraded === true };
}
