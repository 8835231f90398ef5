import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import type { SpanRecord } from "./model.ts";

/** The columns the batch insert fills, with the types jsonb_to_recordset reads them as. */
const COLUMNS = [
  ["project_id", "uuid"],
  ["trace_id", "text"],
  ["span_id", "text"],
  ["parent_span_id", "text"],
  ["start_time", "timestamptz"],
  ["start_ns", "bigint"],
  ["duration_ns", "bigint"],
  ["name", "text"],
  ["kind", "smallint"],
  ["service", "text"],
  ["status_code", "smallint"],
  ["status_message", "text"],
  ["trace_state", "text"],
  ["flags", "integer"],
  ["scope", "jsonb"],
  ["attributes", "jsonb"],
  ["resource", "jsonb"],
  ["events", "jsonb"],
  ["links", "jsonb"],
  ["dropped", "jsonb"],
] as const;
const NAMES = COLUMNS.map(([c]) => c).join(", ");
const RECORDSET = COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ");

/** The JSON array parameter of the batch insert. Exported for the benchmark's COPY baseline. */
export function batchJson(projectId: string, records: SpanRecord[]): string {
  const rows = records.map((r) => ({
    project_id: projectId,
    trace_id: r.traceId,
    span_id: r.spanId,
    parent_span_id: r.parentSpanId,
    start_time: isoMicros(r.startNs),
    start_ns: r.startNs.toString(),
    duration_ns: r.durationNs.toString(),
    name: r.name,
    kind: r.kind,
    service: r.service,
    status_code: r.statusCode,
    status_message: r.statusMessage,
    trace_state: r.traceState,
    flags: r.flags,
    scope: r.scope,
    attributes: r.attributes,
    resource: r.resource,
    events: r.events,
    links: r.links,
    dropped: r.dropped,
  }));
  const json = JSON.stringify(rows);
  // Postgres text and jsonb cannot hold NUL or unpaired surrogates: rare, so only then rebuild.
  return /\\u0000|\\ud[89a-f]/i.test(json) ? JSON.stringify(sanitize(rows)) : json;
}

function sanitize(v: unknown): unknown {
  if (typeof v === "string") return wellFormed(v.replaceAll("\0", ""));
  if (Array.isArray(v)) return v.map(sanitize);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [sanitize(k) as string, sanitize(x)]));
  }
  return v;
}

/** Unpaired surrogates → U+FFFD (String.prototype.toWellFormed, not in this TypeScript lib yet). */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Unix nanoseconds → ISO timestamp with microseconds (what timestamptz keeps). */
export function isoMicros(ns: bigint): string {
  const us = ns / 1000n;
  const iso = new Date(Number(us / 1000n)).toISOString();
  return `${iso.slice(0, -1)}${String(us % 1000n).padStart(3, "0")}Z`;
}

/**
 * Inserts a batch in the caller's transaction; returns "traceId:spanId" of the spans that were new.
 * The whole batch is one statement: rows travel as one JSON array parameter unpacked by
 * jsonb_to_recordset — a multi-row insert that works the same on postgres.js and PGlite.
 * ON CONFLICT DO NOTHING makes retries no-ops; RETURNING tells which spans were new.
 */
export async function insertSpans(tx: Db, projectId: string, records: SpanRecord[]): Promise<Set<string>> {
  if (!records.length) return new Set();
  // A stable order makes concurrent batches that share spans lock them in the same order.
  const sorted = [...records].sort((a, b) =>
    a.traceId === b.traceId ? (a.spanId < b.spanId ? -1 : 1) : a.traceId < b.traceId ? -1 : 1,
  );
  const rows = rowsOf<{ trace_id: string; span_id: string }>(
    await tx.execute(
      sql`insert into spans (${sql.raw(NAMES)})
          select ${sql.raw(NAMES)} from jsonb_to_recordset(${batchJson(projectId, sorted)}::jsonb)
            as r(${sql.raw(RECORDSET)})
          on conflict do nothing
          returning trace_id, span_id`,
    ),
  );
  return new Set(rows.map((r) => `${r.trace_id}:${r.span_id}`));
}

/** postgres.js returns the rows, PGlite an object holding them. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export type { Database };
