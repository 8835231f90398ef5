/**
 * Queries of the predictions capability: labels, contracts, violation statistics (rows are written
 * by COPY: copy-writer.ts).
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/rows.ts";
import { contracts } from "../db/schema/index.ts";
import type { BatchRules, Contract, ContractIn, FeatureValue } from "./model.ts";

export async function run<T = Record<string, unknown>>(db: Db, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(statement));
}

/** Whether any label is waiting in this project (if none, new rows need no label lookup). */
export async function hasLabels(db: Db, projectId: string): Promise<boolean> {
  const [row] = await run<{ any: boolean }>(
    db,
    sql`select exists (select 1 from prediction_labels where project_id = ${projectId}::uuid) as any`,
  );
  return row?.any === true;
}

/**
 * Sets the labels that arrived before their predictions on the rows of these request ids that
 * have none (a label for model '' fits every model); returns how many rows got one.
 */
export async function applyWaitingLabels(
  db: Db,
  projectId: string,
  requestIds: readonly string[],
): Promise<number> {
  if (requestIds.length === 0) return 0;
  const updated = await run(
    db,
    sql`update predictions p set label = l.label, labeled_at = now()
        from prediction_labels l
        where l.project_id = ${projectId}::uuid
          and l.request_id in (select jsonb_array_elements_text(${JSON.stringify(requestIds)}::jsonb))
          and p.project_id = l.project_id and p.request_id = l.request_id and l.model in (p.model, '')
          and p.label is null
        returning p.id`,
  );
  return updated.length;
}

export interface StoredLabel {
  model: string;
  request_id: string;
  label: unknown;
  ts: string | null;
}

/** Upserts labels (last one wins) and sets them on stored predictions; returns how many matched. */
export async function upsertLabels(
  db: Db,
  projectId: string,
  labels: readonly StoredLabel[],
): Promise<number> {
  // ON CONFLICT DO UPDATE cannot touch a row twice in one statement: keep the last per key.
  const unique = [...new Map(labels.map((l) => [`${l.model}\u0000${l.request_id}`, l])).values()];
  const json = JSON.stringify(unique);
  await db.execute(
    sql`insert into prediction_labels (project_id, model, request_id, label, ts)
        select ${projectId}::uuid, r.model, r.request_id, r.label, coalesce(r.ts, now())
        from jsonb_to_recordset(${json}::jsonb) as r(model text, request_id text, label jsonb, ts timestamptz)
        on conflict (project_id, model, request_id)
        do update set label = excluded.label, ts = excluded.ts, received_at = now()`,
  );
  const matched = await run(
    db,
    sql`update predictions p set label = r.label, labeled_at = now()
        from jsonb_to_recordset(${json}::jsonb) as r(model text, request_id text, label jsonb)
        where p.project_id = ${projectId}::uuid and p.request_id = r.request_id and (r.model = '' or p.model = r.model)
        returning p.id`,
  );
  return matched.length;
}

// ---- contracts ----

type ContractRow = typeof contracts.$inferSelect;

export function toContract(row: ContractRow): Contract {
  return {
    id: row.id,
    model: row.model,
    fields: row.fields as Contract["fields"],
    batch: { windowSeconds: 3600, ...(row.batch as Partial<BatchRules>) },
    violationThreshold: row.violationThreshold,
    detectSchemaChanges: row.detectSchemaChanges,
    version: row.version,
    origin: row.origin as Contract["origin"],
    ...(row.sources ? { sources: row.sources as NonNullable<Contract["sources"]> } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getContract(db: Db, projectId: string, model: string): Promise<Contract | undefined> {
  const [row] = await db
    .select()
    .from(contracts)
    .where(and(eq(contracts.projectId, projectId), eq(contracts.model, model)));
  return row ? toContract(row) : undefined;
}

export async function listContracts(db: Db, projectId: string): Promise<Contract[]> {
  const rows = await db
    .select()
    .from(contracts)
    .where(eq(contracts.projectId, projectId))
    .orderBy(contracts.model);
  return rows.map(toContract);
}

/**
 * Creates or replaces the model's contract; the version goes up on every replacement. `sources` are
 * replaced only when the input names them (an inferred contract keeps the declared ones).
 */
export async function putContract(
  db: Db,
  projectId: string,
  model: string,
  input: ContractIn,
  origin: "api" | "inferred",
): Promise<{ contract: Contract; created: boolean }> {
  const values = {
    projectId,
    model,
    fields: input.fields,
    batch: input.batch ?? {},
    violationThreshold: input.violationThreshold,
    detectSchemaChanges: input.detectSchemaChanges,
    origin,
    ...(input.sources !== undefined ? { sources: input.sources } : {}),
  };
  const [row] = await db
    .insert(contracts)
    .values(values)
    .onConflictDoUpdate({
      target: [contracts.projectId, contracts.model],
      set: { ...values, version: sql`${contracts.version} + 1`, updatedAt: sql`now()` },
    })
    .returning();
  return { contract: toContract(row!), created: row!.version === 1 };
}

export async function deleteContract(db: Db, projectId: string, model: string): Promise<boolean> {
  const rows = await db
    .delete(contracts)
    .where(and(eq(contracts.projectId, projectId), eq(contracts.model, model)))
    .returning({ id: contracts.id });
  return rows.length > 0;
}

/** Feature maps of a model's predictions in [from, to), newest first, at most `limit`. */
export async function featureRows(
  db: Db,
  projectId: string,
  model: string,
  window: { from?: Date; to?: Date; limit: number },
): Promise<Record<string, FeatureValue>[]> {
  const rows = await run<{ features: Record<string, FeatureValue> }>(
    db,
    sql`select features from predictions
        where project_id = ${projectId}::uuid and model = ${model}
          and ts >= ${window.from?.toISOString() ?? "-infinity"}::timestamptz
          and ts < ${window.to?.toISOString() ?? "infinity"}::timestamptz
        order by ts desc limit ${window.limit}`,
  );
  return rows.map((r) => r.features);
}

export interface ViolationStats {
  rows: number;
  flagged: number;
  /** "field.rule" → rows */
  byRule: Record<string, number>;
  newest: string | null;
}

/** Violation counts by field and rule over a window, aggregated in SQL. */
export async function violationStats(
  db: Db,
  projectId: string,
  model: string,
  from: Date,
  to: Date,
): Promise<ViolationStats> {
  const where = sql`project_id = ${projectId}::uuid and model = ${model}
    and ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz`;
  const [totals] = await run<{ rows: number; flagged: number; newest: Date | string | null }>(
    db,
    sql`select count(*)::int as rows, count(*) filter (where flagged)::int as flagged, max(ts) as newest
        from predictions where ${where}`,
  );
  const byRule = await run<{ key: string; n: number }>(
    db,
    sql`select v.key, count(distinct p.id)::int as n
        from predictions p,
             lateral (select (e->>'field') || '.' || (e->>'rule') as key from jsonb_array_elements(p.validation) e) v
        where ${where} and p.flagged
        group by v.key order by v.key`,
  );
  const newest = totals?.newest ?? null;
  return {
    rows: totals?.rows ?? 0,
    flagged: totals?.flagged ?? 0,
    byRule: Object.fromEntries(byRule.map((r) => [r.key, r.n])),
    newest: newest === null ? null : new Date(newest).toISOString(),
  };
}

/** Rows and newest timestamp of a model over the last `seconds` (batch rules). */
export async function windowCounts(
  db: Db,
  projectId: string,
  model: string,
  since: Date,
): Promise<{ rows: number; newest: string | null }> {
  const [row] = await run<{ rows: number; newest: Date | string | null }>(
    db,
    sql`select count(*)::int as rows,
          (select max(ts) from predictions where project_id = ${projectId}::uuid and model = ${model}) as newest
        from predictions where project_id = ${projectId}::uuid and model = ${model}
          and ts >= ${since.toISOString()}::timestamptz`,
  );
  return { rows: row?.rows ?? 0, newest: row?.newest ? new Date(row.newest).toISOString() : null };
}

/** Rows of a model in [from, to). */
export async function countPredictions(db: Db, projectId: string, model: string, from: Date, to: Date) {
  const [row] = await run<{ rows: number }>(
    db,
    sql`select count(*)::int as rows from predictions
        where project_id = ${projectId}::uuid and model = ${model}
          and ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz`,
  );
  return row?.rows ?? 0;
}

export interface FeaturePageRow {
  id: number;
  /** Text, so the keyset keeps the microseconds a Date would drop. */
  ts: string;
  features: Record<string, FeatureValue>;
}

/** One page of a model's feature maps in [from, to), newest first, strictly after the keyset `after`. */
export async function featurePage(
  db: Db,
  projectId: string,
  model: string,
  window: { from: Date; to: Date },
  after: { ts: string; id: number } | undefined,
  limit: number,
): Promise<FeaturePageRow[]> {
  const rows = await run<FeaturePageRow>(
    db,
    sql`select id, ts::text as ts, features from predictions
        where project_id = ${projectId}::uuid and model = ${model}
          and ts >= ${window.from.toISOString()}::timestamptz and ts < ${window.to.toISOString()}::timestamptz
          ${after ? sql`and (ts, id) < (${after.ts}::timestamptz, ${after.id}::bigint)` : sql``}
        order by ts desc, id desc limit ${limit}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
