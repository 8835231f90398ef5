/**
 * The last step of a run: the report is stored, the monitor's next run scheduled, and its drift
 * incidents follow the report's verdict.
 */
import type { Db } from "../../db/client.ts";
import { recordOccurrence, resolveByFingerprint } from "../../incidents/record.ts";
import type { DriftReported, DriftTrigger } from "./events.ts";
import type { Gathered } from "./gather.ts";
import type { Judgement } from "./judge.ts";
import type { Monitor, Report } from "./model.ts";
import { driftFingerprint, performanceFingerprint } from "./read.ts";
import { insertReport, markRun } from "./store.ts";

/** Hands a drifted report of a monitor with a retraining policy to whoever listens (events.ts). */
export type AnnounceDrift = (event: DriftReported) => Promise<void>;

/**
 * Stores the report of a run (`judgement` absent: too little data) and follows its incidents;
 * a drifted report of a monitor with a retraining policy is announced once its incidents are written.
 */
export async function persistReport(
  db: Db,
  projectId: string,
  m: Monitor,
  run: { trigger: Report["trigger"]; now: Date; started: number; announce?: AnnounceDrift },
  g: Gathered,
  judgement?: Judgement,
): Promise<Report> {
  const base = {
    monitorId: m.id,
    trigger: run.trigger,
    reference: {
      ...g.windows.info.reference,
      rows: g.reference.rows,
      sampled: Math.min(g.reference.rows, g.cap),
      cachedAt: g.reference.cachedAt,
    },
    current: { ...g.windows.info.current, rows: g.current.rows, sampled: Math.min(g.current.rows, g.cap) },
    prediction: null,
    performance: null,
    embeddings: null,
    error: null,
  };
  const durationMs = () => Math.round(performance.now() - run.started);
  if (!g.enough) {
    const report = await insertReport(db, projectId, {
      ...base,
      status: "insufficient_data",
      drifted: false,
      share: null,
      features: [],
      sampling: null,
      error: `Need at least ${g.minRows} rows in each window (reference ${g.reference.rows}, current ${g.current.rows})`,
      durationMs: durationMs(),
    });
    await markRun(db, m.id, run.now);
    return report;
  }
  if (!judgement) throw new Error("a run with enough data is judged before its report is stored");
  const report = await insertReport(db, projectId, {
    ...base,
    status: "ok",
    drifted: judgement.drifted,
    share: judgement.share,
    features: judgement.features,
    prediction: judgement.prediction,
    performance: judgement.performance,
    embeddings: judgement.embeddings.length ? judgement.embeddings : null,
    sampling: g.sampled
      ? {
          method:
            "Bernoulli TABLESAMPLE REPEATABLE(seed) (last-N windows: smallest hashint8extended(id, seed))",
          seed: g.seed,
          cap: g.cap,
          reference: { rows: g.reference.rows, sampled: g.samples.reference.length },
          current: { rows: g.current.rows, sampled: g.samples.current.length },
          note: "numerical, embedding and performance tests ran on the sample; categorical counts cover every row",
        }
      : null,
    durationMs: durationMs(),
  });
  await markRun(db, m.id, run.now);
  const followed = await followIncidents(db, projectId, m, report);
  if (run.announce && m.retrainPolicy && followed.triggers.length > 0)
    await run.announce({
      projectId,
      monitorId: m.id,
      reportId: report.id,
      model: m.model,
      triggers: followed.triggers,
      incidentIds: followed.incidentIds,
      at: report.createdAt,
    });
  return report;
}

/**
 * One open drift incident per monitor: opened/updated while drifted, resolved by a clean report.
 * Returns what drifted (whether or not the incident policy records it) and the incidents it touched.
 */
async function followIncidents(
  db: Db,
  projectId: string,
  m: Monitor,
  report: Report,
): Promise<{ triggers: DriftTrigger[]; incidentIds: string[] }> {
  const triggers: DriftTrigger[] = [];
  const incidentIds: string[] = [];
  if (report.drifted) triggers.push("drift");
  const policy = m.incidentPolicy ?? { drift: true, performance: true, severity: "warning" };
  const evidence = { reportId: report.id, monitorId: m.id };
  if (policy.drift) {
    if (report.drifted) {
      const names = [...report.features, ...(report.embeddings ?? [])]
        .filter((f) => f.drifted)
        .map((f) => f.name);
      const recorded = await recordOccurrence(db, {
        projectId,
        kind: "drift",
        fingerprint: driftFingerprint(m.id),
        title: `Data drift in model ${m.model} (monitor ${m.name}): ${names.join(", ")}`,
        severity: policy.severity,
        source: `model:${m.model}`,
        sample: { reportId: report.id, share: report.share, drifted: names },
        evidence,
        labels: { model: m.model, monitor: m.name, ...(m.retrainPolicy ? { retrain: "policy" } : {}) },
      });
      incidentIds.push(recorded.id);
    } else {
      await resolveByFingerprint(db, projectId, "drift", driftFingerprint(m.id), {
        actor: "vigil",
        message: `clean report ${report.id}`,
      });
    }
  }
  const perf = report.performance as { degraded?: boolean; metric?: string; change?: number } | null;
  if (perf?.degraded) triggers.push("performance");
  if (policy.performance && perf) {
    if (perf.degraded) {
      const recorded = await recordOccurrence(db, {
        projectId,
        kind: "drift",
        fingerprint: performanceFingerprint(m.id),
        title: `Model ${m.model} performance dropped: ${perf.metric} ${((perf.change ?? 0) * 100).toFixed(1)}% vs reference`,
        severity: policy.severity,
        source: `model:${m.model}`,
        sample: { reportId: report.id, performance: perf },
        evidence,
        labels: { model: m.model, monitor: m.name },
      });
      incidentIds.push(recorded.id);
    } else {
      await resolveByFingerprint(db, projectId, "drift", performanceFingerprint(m.id), {
        actor: "vigil",
        message: `performance back within bounds in report ${report.id}`,
      });
    }
  }
  return { triggers, incidentIds };
}
