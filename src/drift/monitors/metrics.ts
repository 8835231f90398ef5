/**
 * Prometheus gauges from each monitor's newest report, computed at scrape time (no state in the
 * process, so any number of instances agree): vigil_drift_score{monitor,feature} (the test
 * statistic), vigil_drift_detected{monitor,feature}, vigil_drift_share{monitor},
 * vigil_drift_report_timestamp_seconds{monitor}. `monitor` is the monitor's name; `project` and
 * `model` are labels too.
 */
import { Gauge, Registry } from "prom-client";
import type { Db } from "../../db/client.ts";
import { latestReports } from "./store.ts";

export async function driftMetricsText(db: Db): Promise<{ contentType: string; text: string }> {
  const registry = new Registry();
  const labels = ["project", "model", "monitor", "feature"] as const;
  const score = new Gauge({
    name: "vigil_drift_score",
    help: "Drift test statistic of the newest report",
    labelNames: labels,
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
  for (const r of await latestReports(db)) {
    const base = { project: r.projectId, model: r.model, monitor: r.monitorName };
    when.set(base, Date.parse(r.createdAt) / 1000);
    if (r.status !== "ok") continue;
    share.set(base, r.share ?? 0);
    for (const f of [...r.features, ...(r.prediction ? [r.prediction] : [])]) {
      if (typeof f.statistic === "number") score.set({ ...base, feature: f.name }, f.statistic);
      detected.set({ ...base, feature: f.name }, f.drifted ? 1 : 0);
    }
    for (const e of r.embeddings ?? []) {
      // Reports from before the MMD verdict carried only the component share.
      const legacy = (e as { share?: number }).share;
      score.set({ ...base, feature: e.name }, typeof e.statistic === "number" ? e.statistic : (legacy ?? 0));
      detected.set({ ...base, feature: e.name }, e.drifted ? 1 : 0);
    }
  }
  return { contentType: registry.contentType, text: await registry.metrics() };
}
