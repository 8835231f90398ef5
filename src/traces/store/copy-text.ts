/**
 * The span rows of a queued batch as COPY text (span_batches → spans): built where an export is
 * prepared, read by the writer. Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../lib/canonical-json.ts";
import type { SpanRecord } from "../model.ts";

/** The columns of `spans` a queued batch's rows fill, in their COPY order. */
export const SPAN_COLUMNS = [
  "project_id",
  "trace_id",
  "span_id",
  "parent_span_id",
  "start_time",
  "start_ns",
  "duration_ns",
  "name",
  "kind",
  "service",
  "status_code",
  "status_message",
  "trace_state",
  "flags",
  "resource_id",
  "attributes",
  "events",
  "links",
  "dropped",
] as const;

/** The layout of a queued batch's rows and resources (span_batches.format) that the writer reads. */
export const BATCH_FORMAT = 2;

/**
 * What a queued batch holds for the writer. `rows`: COPY text of SPAN_COLUMNS, one line per span.
 * `resources`: JSON [id, days, resource, scope] of each distinct (resource, scope) pair, `days` the
 * UTC days (YYYY-MM-DD) its spans start on — a span_resources row each. Decoders share one resource
 * object per ResourceSpans and one scope object per ScopeSpans, so pairs are found by identity. Pure.
 */
export function batchRows(projectId: string, records: SpanRecord[]): { rows: string; resources: string } {
  const index = new Map<object, Map<object, { id: string; days: Set<string> }>>();
  const resources: [string, Set<string>, object, object][] = [];
  let rows = "";
  for (const r of records) {
    let byScope = index.get(r.resource);
    if (!byScope) {
      byScope = new Map();
      index.set(r.resource, byScope);
    }
    let pair = byScope.get(r.scope);
    if (!pair) {
      pair = { id: resourceId(r.resource, r.scope), days: new Set() };
      resources.push([pair.id, pair.days, r.resource, r.scope]);
      byScope.set(r.scope, pair);
    }
    const start = isoMicros(r.startNs);
    pair.days.add(start.slice(0, 10));
    const { attributes, events, links } = r.dropped;
    rows += `${projectId}\t${r.traceId}\t${r.spanId}\t${r.parentSpanId ?? "\\N"}\t${start}\t${r.startNs}\t${
      r.durationNs
    }\t${text(r.name)}\t${r.kind}\t${text(r.service)}\t${r.statusCode}\t${text(r.statusMessage)}\t${text(
      r.traceState,
    )}\t${r.flags ?? "\\N"}\t${pair.id}\t${json(r.attributes)}\t${json(r.events)}\t${json(r.links)}\t${
      attributes || events || links ? json(r.dropped) : "{}"
    }\n`;
  }
  return {
    rows,
    resources: safeJson(resources.map(([id, days, resource, scope]) => [id, [...days], resource, scope])),
  };
}

/**
 * The id of a (resource, scope) pair in span_resources: the md5 of its JSON with keys sorted, so
 * equal content is one row whichever batch or process wrote it first.
 */
export function resourceId(resource: object, scope: object): string {
  const hex = createHash("md5")
    .update(canonicalJson([resource, scope]))
    .digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A text field in COPY text format: \N for null; backslash, tab, newline, CR escaped; NUL dropped. */
function text(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r\0]/.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => COPY_ESCAPES[c]!) : value;
}
const COPY_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\0": "",
};

/** A jsonb field in COPY text: JSON has no raw control characters, so only its backslashes are doubled. */
function json(value: unknown): string {
  const s = safeJson(value);
  return s.includes("\\") ? s.replaceAll("\\", "\\\\") : s;
}

/**
 * A batch queued by a Vigil before span_resources and COPY (format 1: JSON rows — scope inline at
 * position 12, the resource's index at 14 — and `resources` plain resource objects) in the current
 * layout. Pure.
 */
export function upgradeBatchV1(
  projectId: string,
  rows: string,
  resources: string,
): { rows: string; resources: string } {
  const oldResources = (JSON.parse(resources) as SpanRecord["resource"][]).map((r) => r ?? {});
  const scopes = new Map<string, SpanRecord["scope"]>(); // one object per distinct scope, as decoders share them
  const records = (JSON.parse(rows) as unknown[][]).map((r): SpanRecord => {
    const scopeKey = JSON.stringify(r[12] ?? {});
    let scope = scopes.get(scopeKey);
    if (!scope) {
      scope = (r[12] ?? {}) as SpanRecord["scope"];
      scopes.set(scopeKey, scope);
    }
    return {
      traceId: r[0] as string,
      spanId: r[1] as string,
      parentSpanId: r[2] as string | null,
      startNs: BigInt(r[3] as string),
      durationNs: BigInt(r[4] as string),
      name: r[5] as string,
      kind: r[6] as number,
      service: r[7] as string,
      statusCode: r[8] as number,
      statusMessage: r[9] as string | null,
      traceState: r[10] as string | null,
      flags: r[11] as number | null,
      scope,
      attributes: r[13] as SpanRecord["attributes"],
      resource: oldResources[r[14] as number] ?? {},
      events: r[15] as SpanRecord["events"],
      links: r[16] as SpanRecord["links"],
      dropped: { attributes: 0, events: 0, links: 0, ...(r[17] as object) },
    };
  });
  return batchRows(projectId, records);
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

export function prepareSpans(projectId: string, records: SpanRecord[]): PreparedSpans {
  // A stable order makes concurrent writes of batches that share spans lock them in the same order.
  const sorted = [...records].sort((a, b) =>
    a.traceId === b.traceId ? (a.spanId < b.spanId ? -1 : 1) : a.traceId < b.traceId ? -1 : 1,
  );
  return { count: records.length, ...batchRows(projectId, sorted) };
}
