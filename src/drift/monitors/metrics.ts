/**
 * Prometheus gauges from each monitor's newest report, computed at scrape time (no state in the
 * process, so any number of instances agree). Labels: `project` (the project's name), `model`,
 * `monitor` (the monitor's name), `feature`, and `test` on the per-test series.
 *
 * - vigil_drift_score{project,model,monitor,feature}: the normalised score, ≥ 1 exactly when the
 *   feature drifted, whatever its test (formula: src/drift/stats/score.ts). No `test` label, so the
 *   series survives a change of test (the default switches from KS to Wasserstein at 1000 reference
 *   rows) and one threshold, 1, serves every feature.
 * - vigil_drift_statistic{…,test}: the test's raw statistic, on the test's own scale.
 * - vigil_drift_p_value{…,test}: only for tests that have one.
 * - vigil_drift_detected{…}, vigil_drift_share{project,model,monitor},
 *   vigil_drift_report_timestamp_seconds{project,model,monitor}.
 */
import { Gauge, Registry } from "prom-client";
import type { Db } from "../../db/client.ts";
import { DRIFT_TESTS, driftScore, type Verdict } from "../stats/index.ts";
import { latestReports } from "./store.ts";

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

export async function driftMetricsText(db: Db): Promise<{ contentType: string; text: string }> {
  const registry = new Registry();
  const labels = ["project", "model", "monitor", "feature"] as const;
  const withTest = [...labels, "test"] as const;
  const score = new Gauge({
    name: "vigil_drift_score",
    help:
      "Drift of the newest report on one scale for every test: >= 1 when the feature drifted. " +
      "Distance tests: statistic / threshold; p-value tests: ln(p) / ln(threshold); capped at 100",
    labelNames: labels,
    registers: [registry],
  });
  const statistic = new Gauge({
    name: "vigil_drift_statistic",
    help: "Raw statistic of the feature's drift test in the newest report, on that test's own scale",
    labelNames: withTest,
    registers: [registry],
  });
  const pValue = new Gauge({
    name: "vigil_drift_p_value",
    help: "p-value of the feature's drift test in the newest report (tests that have one)",
    labelNames: withTest,
    registers: [registry],
  });
  const detected = new Gauge({
    name: "vigil_drift_detected",
    help: "1 when the feature drifted in the newest report",
    labelNames: labels,
    registers: [registry],
  });
  const share = new Gauge({
    name: "vigil_drift_share",
    help: "Share of drifted features in the newest report",
    labelNames: ["project", "model", "monitor"] as const,
    registers: [registry],
  });
  const when = new Gauge({
    name: "vigil_drift_report_timestamp_seconds",
    help: "When the newest report ran",
    labelNames: ["project", "model", "monitor"] as const,
    registers: [registry],
  });

  const feature = (
    base: Record<"project" | "model" | "monitor", string>,
    name: string,
    r: {
      test?: string;
      verdict?: Verdict;
      statistic?: number | null;
      pValue?: number | null;
      threshold?: number;
      drifted: boolean;
    },
  ) => {
    const key = { ...base, feature: name };
    detected.set(key, r.drifted ? 1 : 0);
    if (!r.test) return;
    const keyed = { ...key, test: r.test };
    if (finite(r.statistic)) statistic.set(keyed, r.statistic);
    if (r.verdict === "p_value" && finite(r.pValue)) pValue.set(keyed, r.pValue);
    if (!r.verdict || !finite(r.threshold)) return;
    const s = driftScore({ ...r, verdict: r.verdict, threshold: r.threshold });
    if (s !== undefined) score.set(key, s);
  };

  for (const r of await latestReports(db)) {
    const base = { project: r.projectName, model: r.model, monitor: r.monitorName };
    when.set(base, Date.parse(r.createdAt) / 1000);
    if (r.status !== "ok") continue;
    share.set(base, r.share ?? 0);
    for (const f of [...r.features, ...(r.prediction ? [r.prediction] : [])]) {
      feature(base, f.name, { ...f, verdict: f.test ? DRIFT_TESTS.get(f.test)?.verdict : undefined });
    }
    for (const e of r.embeddings ?? []) {
      // Reports from before the MMD verdict judged by the component ratio, a distance-style share.
      const legacy = e as unknown as { method?: string; share?: number; threshold?: number };
      if (legacy.method === "component_ratio") {
        feature(base, e.name, {
          test: "component_ratio",
          verdict: "distance",
          statistic: legacy.share,
          threshold: legacy.threshold,
          drifted: e.drifted,
        });
      } else {
        feature(base, e.name, {
          test: e.method,
          verdict: "p_value",
          statistic: e.statistic,
          pValue: e.pValue,
          threshold: e.threshold,
          drifted: e.drifted,
        });
      }
    }
  }
  return { contentType: registry.contentType, text: await registry.metrics() };
}
