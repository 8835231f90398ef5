import type { Database } from "../../db/client.ts";
import { SPAN_KINDS, STATUS_CODES } from "../model.ts";

/** A stored span as the API shows it. */
export interface SpanView {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: (typeof SPAN_KINDS)[number];
  service: string;
  startTime: string;
  startTimeUnixNano: string;
  durationNs: string;
  durationMs: number;
  status: { code: (typeof STATUS_CODES)[number]; message: string | null };
  traceState: string | null;
  flags: number | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: Record<string, unknown>;
  events: unknown[];
  links: unknown[];
  dropped: Record<string, unknown>;
}

const SPAN_COLUMNS = `s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.service,
  s.start_ns::text as start_ns, s.duration_ns::text as duration_ns, s.status_code, s.status_message,
  s.trace_state, s.flags, s.attributes, coalesce(r.resource, s.resource, '{}') as resource,
  coalesce(r.scope, s.scope, '{}') as scope, s.events, s.links, s.dropped`;

/** Spans `s` with their resource and scope (`r`; inline on spans written before span_resources). */
const SPANS = `spans s left join span_resources r on r.project_id = s.project_id and r.id = s.resource_id
  and r.day = (s.start_time at time zone 'UTC')::date`;

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  service: string;
  start_ns: string;
  duration_ns: string;
  status_code: number;
  status_message: string | null;
  trace_state: string | null;
  flags: number | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: Record<string, unknown>;
  events: unknown[];
  links: unknown[];
  dropped: Record<string, unknown>;
}

function toView(r: SpanRow): SpanView & { startNs: bigint } {
  const startNs = BigInt(r.start_ns);
  const us = startNs / 1000n;
  const iso = new Date(Number(us / 1000n)).toISOString();
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    kind: SPAN_KINDS[r.kind] ?? "unspecified",
    service: r.service,
    startTime: `${iso.slice(0, -1)}${String(us % 1000n).padStart(3, "0")}Z`,
    startTimeUnixNano: r.start_ns,
    durationNs: r.duration_ns,
    durationMs: Number(r.duration_ns) / 1e6,
    status: { code: STATUS_CODES[r.status_code] ?? "unset", message: r.status_message },
    traceState: r.trace_state,
    flags: r.flags,
    attributes: r.attributes,
    resource: r.resource,
    scope: r.scope,
    events: r.events,
    links: r.links,
    dropped: { attributes: 0, events: 0, links: 0, ...r.dropped },
    startNs,
  };
}

/** Every span of one trace (up to `limit`), any day. */
export async function traceSpans(
  database: Database,
  projectId: string,
  traceId: string,
  limit = 10_000,
): Promise<(SpanView & { startNs: bigint })[]> {
  const rows = await database.execute<SpanRow>(
    `select ${SPAN_COLUMNS} from ${SPANS} where s.project_id = $1 and s.trace_id = $2
      order by s.start_ns limit $3`,
    [projectId, traceId, limit],
  );
  return rows.map(toView);
}

/**
 * The spans of a trace in the project an incident belongs to: the incident enricher is handed
 * the incident without its project, and an incident id was already authorised for the caller.
 */
export async function incidentTraceSpans(
  database: Database,
  incidentId: string,
  traceId: string,
  limit: number,
): Promise<(SpanView & { startNs: bigint })[]> {
  const rows = await database.execute<SpanRow>(
    `select ${SPAN_COLUMNS} from ${SPANS}
      where s.project_id = (select project_id from incidents where id = $1) and s.trace_id = $2
      order by s.start_ns limit $3`,
    [incidentId, traceId, limit],
  );
  return rows.map(toView);
}

export interface TraceFilter {
  from: Date;
  to: Date;
  service?: string;
  status?: "ok" | "error" | "unset";
  minDurationMs?: number;
  limit: number;
  cursor?: { startNs: string; traceId: string };
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startTime: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/**
 * Traces that started in [from, to), newest first, keyset-paginated on (start, trace id). A trace's
 * status is error if any span is; `service` matches a trace with any span of that service; the
 * duration is from its first span's start to its last span's end.
 */
export async function listTraces(
  database: Database,
  projectId: string,
  f: TraceFilter,
): Promise<TraceSummary[]> {
  const params: unknown[] = [projectId, f.from.toISOString(), f.to.toISOString()];
  const having: string[] = [];
  if (f.service) {
    params.push(f.service);
    having.push(`bool_or(service = $${params.length})`);
  }
  if (f.status === "error") having.push("bool_or(status_code = 2)");
  if (f.status === "ok") having.push("not bool_or(status_code = 2) and bool_or(status_code = 1)");
  if (f.status === "unset") having.push("bool_and(status_code = 0)");
  if (f.minDurationMs !== undefined) {
    params.push(Math.round(f.minDurationMs * 1e6).toString());
    having.push(`max(start_ns + duration_ns) - min(start_ns) >= $${params.length}::bigint`);
  }
  let after = "";
  if (f.cursor) {
    params.push(f.cursor.startNs, f.cursor.traceId);
    after = `where (start_ns < $${params.length - 1}::bigint or (start_ns = $${params.length - 1}::bigint and trace_id < $${params.length}))`;
  }
  params.push(f.limit);
  const rows = await database.execute<{
    trace_id: string;
    start_ns: string;
    duration_ns: string;
    span_count: number | string;
    error_count: number | string;
    root_service: string;
    root_name: string;
    services: string[];
  }>(
    `with t as (
       select trace_id, min(start_ns) as start_ns, max(start_ns + duration_ns) - min(start_ns) as duration_ns,
              count(*) as span_count, count(*) filter (where status_code = 2) as error_count,
              (array_agg(service order by parent_span_id is not null, start_ns))[1] as root_service,
              (array_agg(name order by parent_span_id is not null, start_ns))[1] as root_name,
              array_agg(distinct service) as services
         from spans
        where project_id = $1 and start_time >= $2 and start_time < $3
        group by trace_id
       ${having.length ? `having ${having.join(" and ")}` : ""}
     )
     select trace_id, start_ns::text as start_ns, duration_ns::text as duration_ns, span_count, error_count,
            root_service, root_name, services
       from t ${after}
      order by start_ns desc, trace_id desc
      limit $${params.length}`,
    params,
  );
  return rows.map((r) => {
    const startNs = BigInt(r.start_ns);
    return {
      traceId: r.trace_id,
      rootService: r.root_service,
      rootName: r.root_name,
      startTime: new Date(Number(startNs / 1_000_000n)).toISOString(),
      startTimeUnixNano: r.start_ns,
      durationMs: Number(r.duration_ns) / 1e6,
      spanCount: Number(r.span_count),
      errorCount: Number(r.error_count),
      services: r.services,
    };
  });
}

export interface ServiceStats {
  service: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * Per service over [from, to): its entry spans (server and consumer spans, and root spans of any
 * kind) — requests, errors, error rate and duration percentiles, all computed by Postgres
 * (percentile_cont, interpolated like numpy's default).
 */
export async function serviceStats(
  database: Database,
  projectId: string,
  from: Date,
  to: Date,
): Promise<ServiceStats[]> {
  const rows = await database.execute<ServiceStatsRow>(
    `select service, count(*) as requests, count(*) filter (where status_code = 2) as errors,
            percentile_cont(array[0.5, 0.95, 0.99]) within group (order by duration_ns::float8 / 1e6) as p
       from spans
      where project_id = $1 and start_time >= $2 and start_time < $3
        and (kind in (2, 5) or parent_span_id is null)
      group by service
      order by service`,
    [projectId, from.toISOString(), to.toISOString()],
  );
  return rows.map(toServiceStats);
}

/** A row of `count(*) as requests, count(*) filter (…) as errors, percentile_cont(…) as p`. */
export interface ServiceStatsRow {
  service: string;
  requests: number | string;
  errors: number | string;
  p: (number | string)[] | null;
}

export function toServiceStats(r: ServiceStatsRow): ServiceStats {
  const requests = Number(r.requests);
  const errors = Number(r.errors);
  const p = (r.p ?? []).map(Number);
  return {
    service: r.service,
    requests,
    errors,
    errorRate: requests ? errors / requests : 0,
    p50Ms: p[0] ?? null,
    p95Ms: p[1] ?? null,
    p99Ms: p[2] ?? null,
  };
}
