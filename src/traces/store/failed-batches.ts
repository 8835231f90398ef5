/**
 * Batches the span writer gave up on (attempts ≥ its limit): kept in span_batches with their last
 * error, so nothing acknowledged disappears silently. An operator inspects them, then replays one
 * (its attempts start again) or drops it.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { rowsOf } from "../../db/rows.ts";
import { SPAN_COLUMNS } from "./copy-text.ts";

export interface FailedBatch {
  id: number;
  receivedAt: string;
  spans: number;
  days: string[];
  attempts: number;
  lastError: string | null;
  failedAt: string | null;
}

export interface QueuedSpanSummary {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  startTime: string;
}

type Row = {
  id: number | string;
  received_at: Date | string;
  span_count: number;
  days: string[];
  attempts: number;
  last_error: string | null;
  failed_at: Date | string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();
const toFailed = (r: Row): FailedBatch => ({
  id: Number(r.id),
  receivedAt: iso(r.received_at),
  spans: r.span_count,
  days: r.days,
  attempts: r.attempts,
  lastError: r.last_error,
  failedAt: r.failed_at === null ? null : iso(r.failed_at),
});

export async function listFailedBatches(
  db: Db,
  projectId: string,
  maxAttempts: number,
): Promise<FailedBatch[]> {
  return rowsOf<Row>(
    await db.execute(sql`
      select id, received_at, span_count, days, attempts, last_error, failed_at from span_batches
      where project_id = ${projectId}::uuid and attempts >= ${maxAttempts}
      order by id limit 1000`),
  ).map(toFailed);
}

/** One failed batch with a summary of its first `limit` spans, read from its COPY text. */
export async function getFailedBatch(
  db: Db,
  projectId: string,
  id: number,
  maxAttempts: number,
  limit = 100,
): Promise<(FailedBatch & { sample: QueuedSpanSummary[] }) | undefined> {
  const [row] = rowsOf<Row & { rows: string; format: number }>(
    await db.execute(sql`
      select id, received_at, span_count, days, attempts, last_error, failed_at, rows, format
      from span_batches where project_id = ${projectId}::uuid and id = ${id} and attempts >= ${maxAttempts}`),
  );
  if (!row) return undefined;
  return { ...toFailed(row), sample: row.format === 2 ? summarizeCopyRows(row.rows, limit) : [] };
}

/** Lets the writer try the batch again from its first attempt; false when no such failed batch. */
export async function replayFailedBatch(db: Db, projectId: string, id: number, maxAttempts: number) {
  const rows = rowsOf(
    await db.execute(sql`
      update span_batches set attempts = 0, failed_at = null
      where project_id = ${projectId}::uuid and id = ${id} and attempts >= ${maxAttempts} returning id`),
  );
  return rows.length > 0;
}

/** Deletes the batch and its spans for good; false when no such failed batch. */
export async function dropFailedBatch(db: Db, projectId: string, id: number, maxAttempts: number) {
  const rows = rowsOf(
    await db.execute(sql`
      delete from span_batches
      where project_id = ${projectId}::uuid and id = ${id} and attempts >= ${maxAttempts} returning id`),
  );
  return rows.length > 0;
}

const column = (name: (typeof SPAN_COLUMNS)[number]) => SPAN_COLUMNS.indexOf(name);
const UNESCAPE: Record<string, string> = { "\\": "\\", t: "\t", n: "\n", r: "\r" };
const copyField = (field: string) => field.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c);

/** The identifying fields of the first `limit` spans of a batch's COPY text. Pure. */
export function summarizeCopyRows(rows: string, limit: number): QueuedSpanSummary[] {
  const out: QueuedSpanSummary[] = [];
  for (const line of rows.split("\n")) {
    if (!line || out.length >= limit) break;
    const f = line.split("\t");
    out.push({
      traceId: f[column("trace_id")] ?? "",
      spanId: f[column("span_id")] ?? "",
      name: copyField(f[column("name")] ?? ""),
      service: copyField(f[column("service")] ?? ""),
      startTime: f[column("start_time")] ?? "",
    });
  }
  return out;
}
