/** Queries of the retraining loop: its runs (and skipped decisions) and their history. */
import { and, desc, eq, inArray, isNotNull, lt, ne, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { retrainingRunEvents, retrainingRuns } from "../db/schema/index.ts";
import { IN_FLIGHT, type RetrainingEvent, type RetrainingRun, type RetrainingStatus } from "./model.ts";

export type RunRow = typeof retrainingRuns.$inferSelect;
export type RunInsert = typeof retrainingRuns.$inferInsert;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRun(r: RunRow): RetrainingRun {
  return {
    id: r.id,
    monitorId: r.monitorId,
    monitorName: r.monitorName,
    model: r.model,
    modelVersion: r.modelVersion,
    reportId: r.reportId,
    incidentIds: r.incidentIds,
    trigger: r.trigger as RetrainingRun["trigger"],
    reason: r.reason,
    requestedBy: r.requestedBy,
    forced: r.forced,
    repo: r.repo,
    workflow: r.workflow,
    ref: r.ref,
    inputs: r.inputs as Record<string, string>,
    status: r.status as RetrainingStatus,
    skipReason: r.skipReason as RetrainingRun["skipReason"],
    message: r.message,
    conclusion: r.conclusion,
    runId: r.runId,
    runAttempt: r.runAttempt,
    runUrl: r.runUrl,
    htmlUrl: r.htmlUrl,
    createdAt: r.createdAt.toISOString(),
    dispatchedAt: iso(r.dispatchedAt),
    runStartedAt: iso(r.runStartedAt),
    completedAt: iso(r.completedAt),
    lastHeardAt: iso(r.lastHeardAt),
    result:
      r.producedVersion && r.resultAt
        ? {
            modelVersion: r.producedVersion,
            metrics: (r.metrics as Record<string, unknown> | null) ?? null,
            artifactUrl: r.artifactUrl,
            reportedAt: r.resultAt.toISOString(),
            auth: (r.resultAuth ?? "api_key") as "oidc" | "api_key",
          }
        : null,
    rebasedFrom: (r.rebasedFrom as Record<string, unknown> | null) ?? null,
  };
}

/**
 * Serialises decisions about one model across transactions and processes (until commit), so two
 * drifted reports arriving together cannot both find the model's slot free.
 */
export async function lockModel(tx: Db, projectId: string, model: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`retraining:${projectId}:${model}`}, 0))`,
  );
}

/** The model's run that holds its one slot, if any (other than `except`). */
export async function inFlightRun(tx: Db, projectId: string, model: string, except?: string) {
  const [row] = await tx
    .select({ id: retrainingRuns.id, status: retrainingRuns.status })
    .from(retrainingRuns)
    .where(
      and(
        eq(retrainingRuns.projectId, projectId),
        eq(retrainingRuns.model, model),
        inArray(retrainingRuns.status, [...IN_FLIGHT]),
        except ? ne(retrainingRuns.id, except) : undefined,
      ),
    )
    .orderBy(desc(retrainingRuns.createdAt))
    .limit(1);
  return row ?? null;
}

/** When the model's newest run reached GitHub. */
export async function lastDispatchedAt(tx: Db, projectId: string, model: string): Promise<Date | null> {
  const [row] = await tx
    .select({ at: retrainingRuns.dispatchedAt })
    .from(retrainingRuns)
    .where(
      and(
        eq(retrainingRuns.projectId, projectId),
        eq(retrainingRuns.model, model),
        isNotNull(retrainingRuns.dispatchedAt),
      ),
    )
    .orderBy(desc(retrainingRuns.dispatchedAt))
    .limit(1);
  return row?.at ?? null;
}

export async function insertRun(tx: Db, values: RunInsert): Promise<RunRow> {
  // Milliseconds, as JavaScript keeps them: the keyset cursor compares created_at exactly.
  const [row] = await tx
    .insert(retrainingRuns)
    .values({ createdAt: new Date(), ...values })
    .returning();
  return row!;
}

export async function addRunEvent(
  tx: Db,
  run: { id: string; projectId: string },
  event: { type: string; status: string; message?: string | null; data?: Record<string, unknown>; at?: Date },
): Promise<void> {
  await tx.insert(retrainingRunEvents).values({
    runId: run.id,
    projectId: run.projectId,
    type: event.type,
    status: event.status,
    message: event.message ?? null,
    data: event.data ?? {},
    ...(event.at ? { at: event.at } : {}),
  });
}

export async function getRun(db: Db, projectId: string, id: string): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(retrainingRuns)
    .where(and(eq(retrainingRuns.projectId, projectId), eq(retrainingRuns.id, id)));
  return row;
}

/** A run by its dispatch id alone: a result authenticated by the run's own token names no project. */
export async function getRunById(db: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(retrainingRuns).where(eq(retrainingRuns.id, id));
  return row;
}

/** The run locked for this transaction (state changes are read-modify-write). */
export async function lockRun(tx: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await tx.select().from(retrainingRuns).where(eq(retrainingRuns.id, id)).for("update");
  return row;
}

export async function updateRun(tx: Db, id: string, set: Partial<RunInsert>): Promise<RunRow> {
  const [row] = await tx
    .update(retrainingRuns)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(retrainingRuns.id, id))
    .returning();
  return row!;
}

/**
 * The dispatched runs a workflow run may be: the one with its run id, else those whose dispatch id
 * the run's title carries — in the same repository, as GitHub names it (case aside).
 */
export async function runsMatching(
  tx: Db,
  match: { repository: string; runId: number; dispatchIds: string[] },
): Promise<{ id: string }[]> {
  const sameRepo = sql`lower(${retrainingRuns.repo}) = lower(${match.repository})`;
  const byRunId = await tx
    .select({ id: retrainingRuns.id })
    .from(retrainingRuns)
    .where(and(sameRepo, eq(retrainingRuns.runId, match.runId)));
  if (byRunId.length > 0 || match.dispatchIds.length === 0) return byRunId;
  return tx
    .select({ id: retrainingRuns.id })
    .from(retrainingRuns)
    .where(
      and(
        sameRepo,
        inArray(retrainingRuns.id, match.dispatchIds),
        sql`${retrainingRuns.runId} is null`,
        sql`${retrainingRuns.status} <> 'skipped'`,
      ),
    );
}

/** Dispatched runs not heard of since `before`, oldest first. */
export async function staleRuns(db: Db, before: Date, limit = 50): Promise<RunRow[]> {
  return db
    .select()
    .from(retrainingRuns)
    .where(
      and(
        inArray(retrainingRuns.status, ["requested", "queued", "in_progress"]),
        sql`coalesce(${retrainingRuns.lastHeardAt}, ${retrainingRuns.dispatchedAt}, ${retrainingRuns.createdAt}) < ${before.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(
      sql`coalesce(${retrainingRuns.lastHeardAt}, ${retrainingRuns.dispatchedAt}, ${retrainingRuns.createdAt})`,
    )
    .limit(limit);
}

/** Runs still waiting for their dispatch since before `before` (their job may have been lost). */
export async function pendingSince(db: Db, before: Date, limit = 50): Promise<{ id: string }[]> {
  return db
    .select({ id: retrainingRuns.id })
    .from(retrainingRuns)
    .where(and(eq(retrainingRuns.status, "pending"), lt(retrainingRuns.createdAt, before)))
    .limit(limit);
}

export interface ListFilter {
  model?: string;
  monitorId?: string;
  status?: RetrainingStatus;
  /** Keyset: created_at and id of the previous page's last run. */
  cursor?: { createdAt: Date; id: string };
  limit: number;
}

export async function listRuns(db: Db, projectId: string, f: ListFilter): Promise<RunRow[]> {
  return db
    .select()
    .from(retrainingRuns)
    .where(
      and(
        eq(retrainingRuns.projectId, projectId),
        f.model ? eq(retrainingRuns.model, f.model) : undefined,
        f.monitorId ? eq(retrainingRuns.monitorId, f.monitorId) : undefined,
        f.status ? eq(retrainingRuns.status, f.status) : undefined,
        f.cursor
          ? or(
              lt(retrainingRuns.createdAt, f.cursor.createdAt),
              and(eq(retrainingRuns.createdAt, f.cursor.createdAt), lt(retrainingRuns.id, f.cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(retrainingRuns.createdAt), desc(retrainingRuns.id))
    .limit(f.limit);
}

export async function runEvents(db: Db, projectId: string, runId: string): Promise<RetrainingEvent[]> {
  const rows = await db
    .select()
    .from(retrainingRunEvents)
    .where(and(eq(retrainingRunEvents.projectId, projectId), eq(retrainingRunEvents.runId, runId)))
    .orderBy(retrainingRunEvents.id);
  return rows.map((e) => ({
    id: e.id,
    at: e.at.toISOString(),
    type: e.type,
    status: e.status as RetrainingStatus,
    message: e.message,
    data: e.data as Record<string, unknown>,
  }));
}

/** The runs that answer an incident, newest first. */
export async function runsForIncident(db: Db, projectId: string, incidentId: string, limit = 20) {
  return db
    .select()
    .from(retrainingRuns)
    .where(
      and(
        eq(retrainingRuns.projectId, projectId),
        sql`${incidentId}::uuid = any(${retrainingRuns.incidentIds})`,
      ),
    )
    .orderBy(desc(retrainingRuns.createdAt), desc(retrainingRuns.id))
    .limit(limit);
}

/** Skipped decisions older than `before` (the runs themselves are a model's history: kept). */
export async function deleteOldSkipped(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(retrainingRuns)
    .where(and(eq(retrainingRuns.status, "skipped"), lt(retrainingRuns.createdAt, before)))
    .returning({ id: retrainingRuns.id });
  return rows.length;
}

export const encodeCursor = (r: RunRow) =>
  Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString("base64url");

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const [ts, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(ts ?? "");
  // Only times a row can have: a forged cursor must not reach Postgres as a year it cannot parse.
  const year = createdAt.getUTCFullYear();
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(year) || year < 2000 || year > 9999)
    return undefined;
  return { createdAt, id };
}
