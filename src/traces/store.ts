import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { rowsOf } from "../db/rows.ts";
import type { SpanRecord } from "./model.ts";

/**
 * Writes queued batches (span_batches rows, by id, in the current format) to `spans` in one
 * statement, entirely in the database: the rows never travel back through Vigil. Each batch's rows
 * are one JSON array of positional arrays (no repeated keys: a third fewer bytes to build, send and
 * parse than objects), unpacked by jsonb_array_elements; start_time is computed from start_ns
 * (exact microseconds, as timestamptz keeps). A batch's distinct [resource, scope] pairs are another
 * array the rows index into: each becomes a span_resources row per UTC day its spans start on,
 * keyed by the md5 of its jsonb text, and spans keep only that key. ON CONFLICT DO NOTHING makes a
 * retried export a no-op, for spans and resources alike; both are inserted in one global order so
 * that two writers sharing some never wait on each other in a cycle. Returns how many spans were
 * new, and which of `watched` (project:trace:span keys) were among them. The same statement runs on
 * postgres.js and PGlite.
 */
const writeStatement = (ids: number[], watched: string[]) =>
  sql`with b as materialized (
        select id as batch, project_id, rows::jsonb as rows, resources::jsonb as resources
        from span_batches where id in ${ids}
      ), src as materialized (
        select b.batch, (s.n - 1)::int as idx, md5(s.x::text)::uuid as id, s.x
        from b, jsonb_array_elements(b.resources) with ordinality as s(x, n)
      ), r as materialized (
        select b.batch, b.project_id, e as r from b, jsonb_array_elements(b.rows) as e
      ), ins as (
        insert into spans (project_id, trace_id, span_id, parent_span_id, start_time, start_ns,
          duration_ns, name, kind, service, status_code, status_message, trace_state, flags,
          resource_id, attributes, events, links, dropped)
        select r.project_id, r.r->>0, r.r->>1, r.r->>2,
          timestamptz 'epoch' + ((r.r->>3)::bigint / 1000) * interval '1 microsecond', (r.r->>3)::bigint,
          (r.r->>4)::bigint, r.r->>5, (r.r->>6)::smallint, r.r->>7, (r.r->>8)::smallint, r.r->>9,
          r.r->>10, (r.r->>11)::integer, src.id, r.r->13, r.r->14, r.r->15, r.r->16
        from r join src on src.batch = r.batch and src.idx = (r.r->>12)::integer
        order by r.r->>0, r.r->>1
        on conflict do nothing
        returning project_id, trace_id, span_id
      ), res as (
        insert into span_resources (project_id, day, id, resource, scope)
        select distinct on (u.project_id, u.day, src.id) u.project_id, u.day, src.id, src.x->0, src.x->1
        from (
          select distinct batch, project_id, (r->>12)::integer as idx,
            date '1970-01-01' + ((r->>3)::bigint / 86400000000000)::integer as day
          from r
        ) as u join src on src.batch = u.batch and src.idx = u.idx
        order by u.project_id, u.day, src.id
        on conflict do nothing
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

/** The layout of a queued batch's rows and resources (span_batches.format) that writeStatement reads. */
export const BATCH_FORMAT = 2;

/**
 * What a queued batch holds for writeStatement: the rows, and the batch's distinct
 * [resource, scope] pairs — shared by many spans, so rows carry an index instead of a copy.
 * Row positions: trace, span, parent, start_ns, duration_ns, name, kind, service, status code,
 * status message, trace state, flags, resource index, attributes, events, links, dropped.
 */
export function batchJson(records: SpanRecord[]): { rows: string; resources: string } {
  // Decoders share one resource object per ResourceSpans and one scope object per ScopeSpans.
  const index = new Map<object, Map<object, number>>();
  const resources: [object, object][] = [];
  const rows = records.map((r) => {
    let byScope = index.get(r.resource);
    if (!byScope) {
      byScope = new Map();
      index.set(r.resource, byScope);
    }
    let idx = byScope.get(r.scope);
    if (idx === undefined) {
      idx = resources.push([r.resource, r.scope]) - 1;
      byScope.set(r.scope, idx);
    }
    const { attributes, events, links } = r.dropped;
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
      idx,
      r.attributes,
      r.events,
      r.links,
      attributes || events || links ? r.dropped : {},
    ];
  });
  return { rows: safeJson(rows), resources: safeJson(resources) };
}

/**
 * A batch queued by a Vigil before span_resources (format 1: scope inline at position 12, the
 * resource's index at 14, `resources` plain resource objects) in the current layout. Pure.
 */
export function upgradeBatchV1(rows: string, resources: string): { rows: string; resources: string } {
  const oldResources = JSON.parse(resources) as unknown[];
  const pairs: [unknown, unknown][] = [];
  const index = new Map<string, number>();
  const upgraded = (JSON.parse(rows) as unknown[][]).map((r) => {
    const key = `${r[14]}:${JSON.stringify(r[12])}`;
    let idx = index.get(key);
    if (idx === undefined) {
      idx = pairs.push([oldResources[r[14] as number] ?? {}, r[12] ?? {}]) - 1;
      index.set(key, idx);
    }
    return [...r.slice(0, 12), idx, r[13], ...r.slice(15)];
  });
  return { rows: JSON.stringify(upgraded), resources: JSON.stringify(pairs) };
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
