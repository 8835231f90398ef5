import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { rowsOf } from "../db/rows.ts";
import type { SpanRecord } from "./model.ts";

/**
 * Writes queued batches (span_batches rows, by id) to `spans` in one statement, entirely in the
 * database: the rows never travel back through Vigil. Each batch's rows are one JSON array of
 * positional arrays (no repeated keys: a third fewer bytes to build, send and parse than objects),
 * unpacked by jsonb_array_elements; start_time is computed from start_ns (exact microseconds, as
 * timestamptz keeps); the batch's distinct resources are another array the rows index into, parsed
 * once per batch (the MATERIALIZED CTE), not once per row. ON CONFLICT DO NOTHING makes a retried
 * export a no-op. Returns how many spans were new, and which of `watched` (project:trace:span keys)
 * were among them. The same statement runs on postgres.js and PGlite.
 */
const writeStatement = (ids: number[], watched: string[]) =>
  sql`with b as materialized (
        select project_id, rows::jsonb as rows, resources::jsonb as resources
        from span_batches where id in ${ids}
      ), ins as (
        insert into spans (project_id, trace_id, span_id, parent_span_id, start_time, start_ns,
          duration_ns, name, kind, service, status_code, status_message, trace_state, flags, scope,
          attributes, resource, events, links, dropped)
        select b.project_id, r->>0, r->>1, r->>2,
          timestamptz 'epoch' + ((r->>3)::bigint / 1000) * interval '1 microsecond', (r->>3)::bigint,
          (r->>4)::bigint, r->>5, (r->>6)::smallint, r->>7, (r->>8)::smallint, r->>9, r->>10,
          (r->>11)::integer, r->12, r->13, b.resources -> (r->>14)::integer, r->15, r->16, r->17
        from b, jsonb_array_elements(b.rows) as r
        -- One global order: two writers whose batches share spans (retries) lock them alike.
        order by r->>0, r->>1
        on conflict do nothing
        returning project_id, trace_id, span_id
      )
      select count(*)::int as stored,
        coalesce(array_agg(k) filter (where k = any(string_to_array(${watched.join(",")}, ','))), '{}') as fresh
      from (select project_id::text || ':' || trace_id || ':' || span_id as k from ins) as keys`;

export async function writeQueuedBatches(
  tx: Db,
  ids: number[],
  watched: string[],
): Promise<{ stored: number; fresh: Set<string> }> {
  const [row] = rowsOf<{ stored: number; fresh: string[] }>(await tx.execute(writeStatement(ids, watched)));
  return { stored: row?.stored ?? 0, fresh: new Set(row?.fresh ?? []) };
}

/**
 * What a queued batch holds for writeStatement: the rows, and the batch's distinct resources —
 * a resource is shared by many spans, so rows carry its index instead of a copy.
 */
export function batchJson(records: SpanRecord[]): { rows: string; resources: string } {
  const resourceIndex = new Map<object, number>();
  const resources: object[] = [];
  const rows = records.map((r) => {
    let idx = resourceIndex.get(r.resource);
    if (idx === undefined) {
      idx = resources.push(r.resource) - 1;
      resourceIndex.set(r.resource, idx);
    }
    return [
      r.traceId,
      r.spanId,
      r.parentSpanId,
      r.startNs.toString(),
      r.durationNs.toString(),
      r.name,
      r.kind,
      r.service,
      r.statusCode,
      r.statusMessage,
      r.traceState,
      r.flags,
      r.scope,
      r.attributes,
      idx,
      r.events,
      r.links,
      r.dropped,
    ];
  });
  return { rows: safeJson(rows), resources: safeJson(resources) };
}

/** Postgres text and jsonb cannot hold NUL or unpaired surrogates: rare, so only then rebuild. */
export function safeJson(value: unknown): string {
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

/** A batch ready for the queue (span_batches): sorted and serialised at acceptance. */
export interface PreparedSpans {
  count: number;
  rows: string;
  resources: string;
}

export function prepareSpans(records: SpanRecord[]): PreparedSpans {
  // A stable order makes concurrent writes of batches that share spans lock them in the same order.
  const sorted = [...records].sort((a, b) =>
    a.traceId === b.traceId ? (a.spanId < b.spanId ? -1 : 1) : a.traceId < b.traceId ? -1 : 1,
  );
  return { count: records.length, ...batchJson(sorted) };
}

export type { Database };
