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
  ["resource_idx", "integer"],
  ["events", "jsonb"],
  ["links", "jsonb"],
  ["dropped", "jsonb"],
] as const;
const NAMES = COLUMNS.map(([c]) => (c === "resource_idx" ? "resource" : c)).join(", ");
const BEFORE_RESOURCE = COLUMNS.slice(
  0,
  COLUMNS.findIndex(([c]) => c === "resource_idx"),
)
  .map(([c]) => `r.${c}`)
  .join(", ");
const AFTER_RESOURCE = COLUMNS.slice(COLUMNS.findIndex(([c]) => c === "resource_idx") + 1)
  .map(([c]) => `r.${c}`)
  .join(", ");
const RECORDSET = COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ");

/**
 * The parameters of the batch insert: the rows as one JSON array, and the batch's distinct
 * resources as another — a resource is shared by many spans, so rows carry its index instead of a
 * copy (half the bytes to encode, send and parse). Exported for the benchmark's COPY baseline.
 */
export function batchJson(projectId: string, records: SpanRecord[]): { rows: string; resources: string } {
  const resourceIndex = new Map<object, number>();
  const resources: object[] = [];
  const rows = records.map((r) => {
    let idx = resourceIndex.get(r.resource);
    if (idx === undefined) {
      idx = resources.push(r.resource) - 1;
      resourceIndex.set(r.resource, idx);
    }
    return {
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
      resource_idx: idx,
      events: r.events,
      links: r.links,
      dropped: r.dropped,
    };
  });
  return { rows: safeJson(rows), resources: safeJson(resources) };
}

/** Postgres text and jsonb cannot hold NUL or unpaired surrogates: rare, so only then rebuild. */
function safeJson(value: unknown): string {
  const json = JSON.stringify(value);
  return /\\u0000|\\ud[89a-f]/i.test(json) ? JSON.stringify(sanitize(value)) : json;
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
  const batch = batchJson(projectId, sorted);
  const rows = rowsOf<{ trace_id: string; span_id: string }>(
    await tx.execute(
      sql`insert into spans (${sql.raw(NAMES)})
          select ${sql.raw(BEFORE_RESOURCE)}, ${batch.resources}::jsonb -> r.resource_idx, ${sql.raw(AFTER_RESOURCE)}
            from jsonb_to_recordset(${batch.rows}::jsonb) as r(${sql.raw(RECORDSET)})
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
