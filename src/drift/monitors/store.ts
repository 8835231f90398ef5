/**
 * Queries of monitors and drift reports, and the window queries a run needs. Big windows stay in
 * Postgres: row counts and category counts are aggregated in SQL over every row; only a seeded
 * sample (the rows with the smallest hash of id and seed, so reruns pick the same rows) comes to
 * Node for the numerical and embedding tests.
 */
import { and, desc, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { rowsOf } from "../../db/rows.ts";
import { driftReports, monitorReferenceRows, monitors } from "../../db/schema/index.ts";
import { withTransaction } from "../../db/transaction.ts";
import { declareModelInputs, withdrawModelInputs } from "../../schemas/lineage.ts";
import type { Distribution } from "../stats/index.ts";
import type { CurrentSpec, FeatureResult, Monitor, MonitorIn, Report } from "./model.ts";

type Row = Record<string, unknown>;

async function run<T = Row>(db: Db, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(statement));
}
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

// ---- monitors ----

type MonitorRow = typeof monitors.$inferSelect;

export function toMonitor(row: MonitorRow, referenceRows?: number): Monitor {
  const m: Monitor = {
    id: row.id,
    name: row.name,
    model: row.model,
    features: (row.features as string[] | null) ?? undefined,
    inputs: (row.inputs as Monitor["inputs"] | null) ?? undefined,
    reference: row.reference as Monitor["reference"],
    current: row.current as CurrentSpec,
    tests: row.tests as Monitor["tests"],
    options: row.options as Monitor["options"],
    scheduleSeconds: row.scheduleSeconds ?? undefined,
    incidentPolicy: row.incidentPolicy as Monitor["incidentPolicy"],
    retrainPolicy: (row.retrainPolicy as Monitor["retrainPolicy"]) ?? undefined,
    enabled: row.enabled,
    nextRunAt: iso(row.nextRunAt),
    lastRunAt: iso(row.lastRunAt),
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
  if (referenceRows !== undefined) m.referenceRows = referenceRows;
  return m;
}

function monitorValues(projectId: string, input: MonitorIn) {
  // Uploaded reference rows live in their own table, not inside the monitor row.
  const reference = input.reference.kind === "rows" ? { kind: "rows" as const } : input.reference;
  return {
    projectId,
    name: input.name,
    model: input.model,
    features: input.features ?? null,
    inputs: input.inputs ?? null,
    reference,
    current: input.current,
    tests: input.tests,
    options: input.options,
    scheduleSeconds: input.scheduleSeconds ?? null,
    nextRunAt:
      input.scheduleSeconds && input.enabled ? new Date(Date.now() + input.scheduleSeconds * 1000) : null,
    incidentPolicy: input.incidentPolicy,
    retrainPolicy: input.retrainPolicy ?? null,
    enabled: input.enabled,
  };
}

/**
 * The monitor's `inputs` as its model's lineage inputs (declarer `monitor:<id>`), in the monitor's
 * transaction. A monitor moved to another model or without inputs withdraws its old declaration.
 */
async function declareInputs(db: Db, projectId: string, monitorId: string, input: MonitorIn) {
  const by = `monitor:${monitorId}`;
  const inputs = input.inputs ?? [];
  await withdrawModelInputs(db, projectId, by, inputs.length > 0 ? input.model : undefined);
  if (inputs.length > 0) await declareModelInputs(db, projectId, input.model, inputs, { by });
}

async function replaceReferenceRows(db: Db, monitorId: string, input: MonitorIn) {
  if (input.reference.kind !== "rows" || !input.reference.rows) return;
  await db.delete(monitorReferenceRows).where(eq(monitorReferenceRows.monitorId, monitorId));
  const rows = input.reference.rows;
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows
      .slice(i, i + 2000)
      .map((r) => ({ features: r.features, output: r.output ?? null, label: r.label ?? null }));
    await db.execute(
      sql`insert into monitor_reference_rows (monitor_id, features, output, label)
          select ${monitorId}::uuid, r.features, r.output, r.label
          from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(features jsonb, output jsonb, label jsonb)`,
    );
  }
}

export async function createMonitor(
  db: Db,
  projectId: string,
  input: MonitorIn,
): Promise<Monitor | undefined> {
  return withTransaction(db, async (t) => {
    const [row] = await t
      .insert(monitors)
      .values(monitorValues(projectId, input))
      .onConflictDoNothing()
      .returning();
    if (!row) return undefined;
    await replaceReferenceRows(t, row.id, input);
    await declareInputs(t, projectId, row.id, input);
    return toMonitor(row, await referenceRowCount(t, row.id));
  });
}

export async function updateMonitor(
  db: Db,
  projectId: string,
  id: string,
  input: MonitorIn,
): Promise<Monitor | undefined> {
  return withTransaction(db, async (t) => {
    const [row] = await t
      .update(monitors)
      .set({ ...monitorValues(projectId, input), updatedAt: new Date() })
      .where(and(eq(monitors.projectId, projectId), eq(monitors.id, id)))
      .returning();
    if (!row) return undefined;
    await replaceReferenceRows(t, row.id, input);
    await declareInputs(t, projectId, row.id, input);
    return toMonitor(row, await referenceRowCount(t, row.id));
  });
}

async function referenceRowCount(db: Db, monitorId: string): Promise<number> {
  const [r] = await run<{ n: number }>(
    db,
    sql`select count(*)::int as n from monitor_reference_rows where monitor_id = ${monitorId}::uuid`,
  );
  return r?.n ?? 0;
}

export async function getMonitor(db: Db, projectId: string, id: string): Promise<Monitor | undefined> {
  const [row] = await db
    .select()
    .from(monitors)
    .where(and(eq(monitors.projectId, projectId), eq(monitors.id, id)));
  if (!row) return undefined;
  return toMonitor(
    row,
    row.reference && (row.reference as { kind: string }).kind === "rows"
      ? await referenceRowCount(db, id)
      : undefined,
  );
}

export async function listMonitors(db: Db, projectId: string): Promise<Monitor[]> {
  const rows = await db
    .select()
    .from(monitors)
    .where(eq(monitors.projectId, projectId))
    .orderBy(monitors.name);
  return rows.map((r) => toMonitor(r));
}

export async function deleteMonitor(db: Db, projectId: string, id: string): Promise<boolean> {
  return withTransaction(db, async (t) => {
    const rows = await t
      .delete(monitors)
      .where(and(eq(monitors.projectId, projectId), eq(monitors.id, id)))
      .returning({ id: monitors.id });
    if (rows.length > 0) await withdrawModelInputs(t, projectId, `monitor:${id}`);
    return rows.length > 0;
  });
}

/** Claims the monitors whose next run is due (moving next_run_at on), across any number of workers. */
export async function claimDueMonitors(db: Db, limit = 100): Promise<{ id: string; project_id: string }[]> {
  return run(
    db,
    sql`update monitors set next_run_at = now() + make_interval(secs => schedule_seconds)
        where id in (
          select id from monitors
          where enabled and schedule_seconds is not null and next_run_at <= now()
          order by next_run_at limit ${limit} for update skip locked)
        returning id, project_id`,
  );
}

export async function markRun(db: Db, id: string, at: Date): Promise<void> {
  await db.update(monitors).set({ lastRunAt: at }).where(eq(monitors.id, id));
}

// ---- windows ----

/** Where a window's rows come from. */
export type WindowSource =
  | {
      kind: "predictions";
      projectId: string;
      model: string;
      from?: Date;
      to?: Date;
      version?: string;
      last?: number;
    }
  | { kind: "reference_rows"; monitorId: string };

/**
 * A subquery with columns id, features, output, label. With `sample`, a Bernoulli TABLESAMPLE of
 * `percent` (REPEATABLE(seed): a tuple's inclusion depends only on the seed and its position, so
 * reruns pick the same rows) — Postgres skips unselected rows before the filter, much cheaper
 * than hashing every row. "Last N rows" windows cannot be table-sampled: callers hash instead.
 */
export function windowSql(w: WindowSource, sample?: { percent: number; seed: number }): SQL {
  const ts = sample
    ? sql` tablesample bernoulli (${sample.percent}::float4) repeatable (${sample.seed}::float8)`
    : sql``;
  if (w.kind === "reference_rows") {
    return sql`(select id, features, output, label from monitor_reference_rows${ts} where monitor_id = ${w.monitorId}::uuid)`;
  }
  const conds = [sql`project_id = ${w.projectId}::uuid`, sql`model = ${w.model}`];
  if (w.from) conds.push(sql`ts >= ${w.from.toISOString()}::timestamptz`);
  if (w.to) conds.push(sql`ts < ${w.to.toISOString()}::timestamptz`);
  if (w.version !== undefined) conds.push(sql`model_version = ${w.version}`);
  const where = sql.join(conds, sql` and `);
  if (w.last !== undefined) {
    return sql`(select id, features, output, label from predictions where ${where} order by ts desc limit ${w.last})`;
  }
  return sql`(select id, features, output, label from predictions${ts} where ${where})`;
}

/** The first `limit` rows of the window in storage order: enough to name and type the features. */
export async function probeWindow(db: Db, w: WindowSource, limit: number): Promise<SampledRow[]> {
  return run<SampledRow>(db, sql`select s.features, s.output, s.label from ${windowSql(w)} s limit ${limit}`);
}

export interface SampledRow {
  features: Record<string, unknown>;
  output: unknown;
  label: unknown;
}

/**
 * Up to `cap` rows of the window (all of them when it holds no more). Past the cap: a seeded
 * sample, the same on every run with the same seed and data — a Bernoulli table sample where the
 * window is a slice of the table, else the rows with the smallest hash of (id, seed).
 * `labeledOnly` samples among rows with a label (performance metrics).
 */
export async function sampleWindow(
  db: Db,
  w: WindowSource,
  total: number,
  cap: number,
  seed: number,
  labeledOnly = false,
): Promise<SampledRow[]> {
  const filter = labeledOnly ? sql`where s.label is not null` : sql``;
  if (total <= cap) {
    return run<SampledRow>(db, sql`select s.features, s.output, s.label from ${windowSql(w)} s ${filter}`);
  }
  // 10% over the wanted share, so the cap is nearly always reached; LIMIT trims the excess.
  const share = Math.min(1, (cap / total) * 1.1);
  if (w.kind === "reference_rows" || w.last === undefined) {
    return run<SampledRow>(
      db,
      sql`select s.features, s.output, s.label from ${windowSql(w, { percent: share * 100, seed })} s ${filter} limit ${cap}`,
    );
  }
  return run<SampledRow>(
    db,
    sql`select features, output, label from (
          select s.features, s.output, s.label,
                 hashint8extended(s.id, ${seed}::bigint)::float8 / 18446744073709551616.0 + 0.5 as h
          from ${windowSql(w)} s ${filter}) x
        where h < ${share}::float8 order by h limit ${cap}`,
  );
}

export interface WindowAggregates {
  rows: number;
  labeled: number;
  /** column → value → rows (null = missing) */
  counts: Map<string, Map<string | null, number>>;
}

// Not a feature name anyone sends (NUL is not allowed in Postgres text, \u0001 is).
const ROWS_KEY = "\u0001rows";

/**
 * One scan of the window: its row count, labeled rows, and value counts of the categorical columns
 * over every row. The columns are unpivoted (LATERAL VALUES) into one hash aggregate, which
 * Postgres runs in parallel; a GROUPING SETS form sorted once per column and was slower.
 */
export async function windowAggregates(
  db: Db,
  w: WindowSource,
  columns: readonly { name: string; output?: boolean }[],
): Promise<WindowAggregates> {
  const pairs = [
    sql`(${ROWS_KEY}::text, case when s.label is null then 'n' else 'y' end)`,
    ...columns.map((c) =>
      c.output
        ? sql`(${c.name}::text, s.output #>> '{}')`
        : sql`(${c.name}::text, s.features ->> ${c.name}::text)`,
    ),
  ];
  const rows = await run<{ k: string; v: string | null; n: number }>(
    db,
    sql`select x.k, x.v, count(*)::int as n
        from ${windowSql(w)} s cross join lateral (values ${sql.join(pairs, sql`, `)}) as x(k, v)
        group by x.k, x.v`,
  );
  const counts = new Map<string, Map<string | null, number>>();
  for (const c of columns) counts.set(c.name, new Map());
  let total = 0;
  let labeled = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (r.k === ROWS_KEY) {
      total += n;
      if (r.v === "y") labeled += n;
      continue;
    }
    const m = counts.get(r.k);
    if (m) m.set(r.v, (m.get(r.v) ?? 0) + n);
  }
  return { rows: total, labeled, counts };
}

// ---- reports ----

type ReportRow = typeof driftReports.$inferSelect;

/** The distributions column: aligned with the features, written with them in one row. */
interface StoredDistributions {
  features: (Distribution | null)[];
  prediction: Distribution | null;
}

/** A report's features and prediction without their distributions, and those apart. */
function splitDistributions(features: FeatureResult[], prediction: FeatureResult | null) {
  const strip = ({ distribution: _, ...rest }: FeatureResult) => rest;
  const distributions: StoredDistributions = {
    features: features.map((f) => f.distribution ?? null),
    prediction: prediction?.distribution ?? null,
  };
  const any = distributions.prediction !== null || distributions.features.some((d) => d !== null);
  return {
    features: features.map(strip),
    prediction: prediction ? strip(prediction) : null,
    distributions: any ? distributions : null,
  };
}

const withDistribution = (f: FeatureResult, d: Distribution | null | undefined): FeatureResult =>
  d ? { ...f, distribution: d } : f;

export function toReport(r: ReportRow | Omit<ReportRow, "distributions">): Report {
  const stored = "distributions" in r ? (r.distributions as StoredDistributions | null) : null;
  const features = r.features as Report["features"];
  const prediction = (r.prediction as Report["prediction"]) ?? null;
  return {
    id: r.id,
    monitorId: r.monitorId,
    createdAt: iso(r.createdAt)!,
    trigger: r.trigger as Report["trigger"],
    status: r.status as Report["status"],
    drifted: r.drifted,
    share: r.share,
    reference: r.reference as Report["reference"],
    current: r.current as Report["current"],
    features: stored ? features.map((f, i) => withDistribution(f, stored.features[i])) : features,
    prediction: prediction && stored ? withDistribution(prediction, stored.prediction) : prediction,
    performance: (r.performance as Report["performance"]) ?? null,
    embeddings: (r.embeddings as Report["embeddings"]) ?? null,
    sampling: (r.sampling as Report["sampling"]) ?? null,
    error: r.error,
    durationMs: r.durationMs,
  };
}

export async function insertReport(
  db: Db,
  projectId: string,
  report: Omit<Report, "id" | "createdAt">,
): Promise<Report> {
  const [row] = await db
    .insert(driftReports)
    .values({ projectId, ...report, ...splitDistributions(report.features, report.prediction) })
    .returning();
  return toReport(row!);
}

/** Every column but the distributions: a list of 50 reports of a wide model stays small. */
const { distributions: _distributions, ...listedColumns } = getTableColumns(driftReports);

export async function listReports(
  db: Db,
  projectId: string,
  filter: { monitorId?: string; drifted?: boolean; limit: number },
): Promise<Report[]> {
  const conds = [eq(driftReports.projectId, projectId)];
  if (filter.monitorId) conds.push(eq(driftReports.monitorId, filter.monitorId));
  if (filter.drifted !== undefined) conds.push(eq(driftReports.drifted, filter.drifted));
  const rows = await db
    .select(listedColumns)
    .from(driftReports)
    .where(and(...conds))
    .orderBy(desc(driftReports.createdAt))
    .limit(filter.limit);
  return rows.map(toReport);
}

export async function getReport(db: Db, projectId: string, id: string): Promise<Report | undefined> {
  const [row] = await db
    .select()
    .from(driftReports)
    .where(and(eq(driftReports.projectId, projectId), eq(driftReports.id, id)));
  return row ? toReport(row) : undefined;
}

/** The newest report of every monitor (for the Prometheus gauges). */
export async function latestReports(
  db: Db,
): Promise<(Report & { monitorName: string; projectId: string; projectName: string; model: string })[]> {
  const rows = await run<Row>(
    db,
    sql`select distinct on (r.monitor_id) r.id, r.monitor_id, r.project_id, r.drifted, r.share, r.features,
               r.prediction, r.embeddings, r.created_at, r.status, m.name as monitor_name, m.model,
               p.name as project_name
        from drift_reports r join monitors m on m.id = r.monitor_id join projects p on p.id = r.project_id
        order by r.monitor_id, r.created_at desc`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    monitorId: String(r.monitor_id),
    projectId: String(r.project_id),
    projectName: String(r.project_name),
    monitorName: String(r.monitor_name),
    model: String(r.model),
    createdAt: iso(r.created_at as Date)!,
    trigger: "schedule",
    status: r.status as Report["status"],
    drifted: Boolean(r.drifted),
    share: r.share === null ? null : Number(r.share),
    reference: {},
    current: {},
    features: r.features as Report["features"],
    prediction: (r.prediction as Report["prediction"]) ?? null,
    performance: null,
    embeddings: (r.embeddings as Report["embeddings"]) ?? null,
    sampling: null,
    error: null,
    durationMs: null,
  }));
}
