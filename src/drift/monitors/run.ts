/**
 * One run of a monitor: resolve the two windows, test every feature (numerical on a seeded sample
 * past sampleCap, categorical on full SQL counts, vectors by component ratio), prediction drift,
 * performance when labels exist, the dataset verdict; store the report; open, update or resolve
 * the monitor's `drift` incident.
 */
import type { Db } from "../../db/client.ts";
import { recordOccurrence, resolveByFingerprint } from "../../incidents/record.ts";
import { type CompareOptions, DEFAULT_DATASET_DRIFT_SHARE } from "../stats/index.ts";
import { DEFAULT_EMBEDDING_P_VALUE, DEFAULT_EMBEDDING_SHARE, embeddingDrift } from "./embedding.ts";
import {
  type FeatureKind,
  featureKind,
  MAX_INTEGER_CATEGORIES,
  testCategorical,
  testNumerical,
} from "./feature-drift.ts";
import type { EmbeddingResult, FeatureResult, Monitor, Report } from "./model.ts";
import { computePerformance, inferTask, type Performance, primaryMetric } from "./performance.ts";
import { referenceData } from "./reference-cache.ts";
import {
  insertReport,
  markRun,
  probeWindow,
  type SampledRow,
  sampleWindow,
  type WindowSource,
  windowAggregates,
} from "./store.ts";

export const DEFAULT_SAMPLE_CAP = 20_000;
export const DEFAULT_SEED = 42;
export const DEFAULT_MIN_ROWS = 30;
export const DEFAULT_PERFORMANCE_DROP = 0.1;
export const PREDICTION = "prediction";

export interface ResolvedWindows {
  reference: WindowSource;
  current: WindowSource;
  info: {
    reference: { from: string | null; to: string | null };
    current: { from: string | null; to: string | null };
  };
}

/** The two windows of a monitor at `now` (pure). */
export function resolveWindows(projectId: string, m: Monitor, now: Date): ResolvedWindows {
  let reference: WindowSource;
  let refInfo = { from: null as string | null, to: null as string | null };
  switch (m.reference.kind) {
    case "range":
      reference = {
        kind: "predictions",
        projectId,
        model: m.model,
        from: new Date(m.reference.from),
        to: new Date(m.reference.to),
      };
      refInfo = { from: m.reference.from, to: m.reference.to };
      break;
    case "version":
      reference = { kind: "predictions", projectId, model: m.model, version: m.reference.version };
      break;
    case "rows":
      reference = { kind: "reference_rows", monitorId: m.id };
      break;
  }
  let current: WindowSource;
  let curInfo = { from: null as string | null, to: now.toISOString() };
  if (m.current.kind === "window") {
    const from = new Date(now.getTime() - m.current.seconds * 1000);
    current = { kind: "predictions", projectId, model: m.model, from, to: now };
    curInfo = { from: from.toISOString(), to: now.toISOString() };
  } else {
    current = { kind: "predictions", projectId, model: m.model, last: m.current.last, to: now };
  }
  return { reference, current, info: { reference: refInfo, current: curInfo } };
}

/** Rows read from each window to name and type the features before the real scans. */
export const PROBE_ROWS = 1000;

function countValues(values: readonly unknown[]): Map<string | null, number> {
  const m = new Map<string | null, number>();
  for (const v of values) {
    const k = v === null || v === undefined ? null : String(v);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Integer codes with more than 10 distinct values are numerical (Evidently's rule), else categorical. */
function countedKind(ref: Map<string | null, number>, cur: Map<string | null, number>): FeatureKind {
  const labels = new Set([...ref.keys(), ...cur.keys()].filter((k): k is string => k !== null && k !== ""));
  const integers = [...labels].every((l) => /^-?\d+$/.test(l));
  return integers && labels.size > MAX_INTEGER_CATEGORIES ? "numerical" : "categorical";
}

const isScalar = (v: unknown) => v === null || ["number", "string", "boolean"].includes(typeof v);

/** Runs the monitor and stores its report; incidents follow the report's verdict. */
export async function runMonitor(
  db: Db,
  projectId: string,
  m: Monitor,
  trigger: Report["trigger"],
  now = new Date(),
): Promise<Report> {
  const started = performance.now();
  const o = m.options ?? {};
  const cap = o.sampleCap ?? DEFAULT_SAMPLE_CAP;
  const seed = o.seed ?? DEFAULT_SEED;
  const minRows = o.minRows ?? DEFAULT_MIN_ROWS;
  const w = resolveWindows(projectId, m, now);

  // A small probe of each window names the features and tells which look categorical: those are
  // counted in SQL over every row (one scan per window, which also gives the row counts); the
  // others are tested on a seeded sample.
  // The two windows are independent: on a server their queries overlap (PGlite serialises them).
  const [refProbe, curProbe] = await Promise.all([
    probeWindow(db, w.reference, PROBE_ROWS),
    probeWindow(db, w.current, PROBE_ROWS),
  ]);
  const names = m.features ?? [...new Set(refProbe.flatMap((r) => Object.keys(r.features ?? {})))].sort();
  const values = (rows: SampledRow[], name: string) => rows.map((r) => r.features?.[name] ?? null);
  const probeOutputs = [...refProbe, ...curProbe].map((r) => r.output);
  const outputKind: FeatureKind | undefined =
    probeOutputs.every(isScalar) && probeOutputs.some((x) => x !== null)
      ? featureKind(probeOutputs, m.tests[PREDICTION]?.type)
      : undefined;
  const candidates = names
    .filter(
      (n) =>
        featureKind([...values(refProbe, n), ...values(curProbe, n)], m.tests[n]?.type) === "categorical",
    )
    .map((name) => ({ name, output: false }));
  if (outputKind === "categorical") candidates.push({ name: PREDICTION, output: true });
  const [ref, curAgg] = await Promise.all([
    referenceData(db, m, w.reference, candidates, cap, seed, now),
    windowAggregates(db, w.current, candidates),
  ]);
  const refAgg = ref.agg;

  const base = {
    monitorId: m.id,
    trigger,
    reference: {
      ...w.info.reference,
      rows: refAgg.rows,
      sampled: Math.min(refAgg.rows, cap),
      cachedAt: ref.cachedAt,
    },
    current: { ...w.info.current, rows: curAgg.rows, sampled: Math.min(curAgg.rows, cap) },
    prediction: null,
    performance: null,
    embeddings: null,
    error: null,
  };
  if (refAgg.rows < minRows || curAgg.rows < minRows) {
    const report = await insertReport(db, projectId, {
      ...base,
      status: "insufficient_data",
      drifted: false,
      share: null,
      features: [],
      sampling: null,
      error: `Need at least ${minRows} rows in each window (reference ${refAgg.rows}, current ${curAgg.rows})`,
      durationMs: Math.round(performance.now() - started),
    });
    await markRun(db, m.id, now);
    return report;
  }

  const refSample = ref.sample;
  const curSample = await sampleWindow(db, w.current, curAgg.rows, cap, seed);
  const sampled = refAgg.rows > cap || curAgg.rows > cap;

  // Final kinds: counted columns stay categorical unless the full counts show an integer column
  // with more than 10 values; the others are typed from the sample.
  const refCounts = refAgg.counts;
  const curCounts = curAgg.counts;
  const kinds = new Map<string, FeatureKind>();
  for (const name of names) {
    const counted = refCounts.get(name);
    if (counted) {
      const cur = curCounts.get(name)!;
      kinds.set(name, m.tests[name]?.type ? "categorical" : countedKind(counted, cur));
      continue;
    }
    const kind = featureKind([...values(refSample, name), ...values(curSample, name)], m.tests[name]?.type);
    if (kind === "categorical") {
      // Categorical after all (e.g. strings the probe did not see): count the sample.
      refCounts.set(name, countValues(values(refSample, name)));
      curCounts.set(name, countValues(values(curSample, name)));
    }
    kinds.set(name, kind);
  }

  const options: CompareOptions = { columns: {}, bins: o.bins, seed };
  for (const [name, opts] of Object.entries(m.tests)) options.columns![name] = opts;

  const test = (
    name: string,
    kind: FeatureKind | undefined,
    pick: (r: SampledRow) => unknown,
  ): FeatureResult | undefined => {
    if (kind === "categorical")
      return testCategorical(name, refCounts.get(name)!, curCounts.get(name)!, options);
    if (kind === "numerical")
      return testNumerical(name, refSample.map(pick), curSample.map(pick), options, sampled);
    return undefined;
  };
  const features: FeatureResult[] = [];
  const embeddings: EmbeddingResult[] = [];
  for (const name of names) {
    const kind = kinds.get(name);
    if (kind === "vector") {
      const r = embeddingDrift(name, values(refSample, name), values(curSample, name), {
        shareThreshold: o.embeddingThreshold ?? DEFAULT_EMBEDDING_SHARE,
        pValueThreshold: o.embeddingPValue ?? DEFAULT_EMBEDDING_P_VALUE,
        seed,
      });
      if ("error" in r) features.push({ name, drifted: false, error: r.error });
      else embeddings.push(r);
      continue;
    }
    features.push(test(name, kind, (r) => r.features?.[name] ?? null)!);
  }
  const prediction = test(PREDICTION, outputKind, (r) => r.output) ?? null;

  // Dataset verdict over the features that could be tested (and the embeddings), like Evidently's share.
  const judged = [...features.filter((f) => !f.error || f.drifted), ...embeddings];
  const driftedCount = judged.filter((f) => f.drifted).length;
  const share = judged.length ? driftedCount / judged.length : 0;
  const drifted = judged.length > 0 && share >= (o.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE);

  let performanceResult: Record<string, unknown> | null = null;
  if (ref.labeled && curAgg.labeled > 0) {
    const refPairs = ref.labeled;
    const curPairs = await sampleWindow(db, w.current, curAgg.labeled, cap, seed, true);
    const task = o.task ?? inferTask([...refPairs, ...curPairs].map((p) => p.label));
    const reference = computePerformance(refPairs, task);
    const current = computePerformance(curPairs, task);
    performanceResult = {
      ...comparePerformance(reference, current, o.performanceDrop ?? DEFAULT_PERFORMANCE_DROP),
    };
  }

  const report = await insertReport(db, projectId, {
    ...base,
    status: "ok",
    drifted,
    share,
    features,
    prediction,
    performance: performanceResult,
    embeddings: embeddings.length ? embeddings : null,
    sampling: sampled
      ? {
          method:
            "Bernoulli TABLESAMPLE REPEATABLE(seed) (last-N windows: smallest hashint8extended(id, seed))",
          seed,
          cap,
          reference: { rows: refAgg.rows, sampled: refSample.length },
          current: { rows: curAgg.rows, sampled: curSample.length },
          note: "numerical, embedding and performance tests ran on the sample; categorical counts cover every row",
        }
      : null,
    durationMs: Math.round(performance.now() - started),
  });
  await markRun(db, m.id, now);
  await followIncidents(db, projectId, m, report);
  return report;
}

function comparePerformance(reference: Performance, current: Performance, drop: number) {
  const { name, higherIsBetter } = primaryMetric(current.task);
  const r = reference.metrics[name];
  const c = current.metrics[name];
  let degraded = false;
  let change: number | null = null;
  if (typeof r === "number" && typeof c === "number" && r !== 0) {
    change = (c - r) / Math.abs(r);
    degraded = higherIsBetter ? change < -drop : change > drop;
  }
  return { task: current.task, metric: name, reference, current, change, threshold: drop, degraded };
}

export const driftFingerprint = (monitorId: string) => `monitor:${monitorId}`;
export const performanceFingerprint = (monitorId: string) => `monitor:${monitorId}:performance`;

/** One open drift incident per monitor: opened/updated while drifted, resolved by a clean report. */
async function followIncidents(db: Db, projectId: string, m: Monitor, report: Report) {
  const policy = m.incidentPolicy ?? { drift: true, performance: true, severity: "warning" };
  const evidence = { reportId: report.id, monitorId: m.id };
  if (policy.drift) {
    if (report.drifted) {
      const names = [...report.features, ...(report.embeddings ?? [])]
        .filter((f) => f.drifted)
        .map((f) => f.name);
      await recordOccurrence(db, {
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
    } else {
      await resolveByFingerprint(db, projectId, "drift", driftFingerprint(m.id), {
        actor: "vigil",
        message: `clean report ${report.id}`,
      });
    }
  }
  const perf = report.performance as { degraded?: boolean; metric?: string; change?: number } | null;
  if (policy.performance && perf) {
    if (perf.degraded) {
      await recordOccurrence(db, {
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
    } else {
      await resolveByFingerprint(db, projectId, "drift", performanceFingerprint(m.id), {
        actor: "vigil",
        message: `performance back within bounds in report ${report.id}`,
      });
    }
  }
}
