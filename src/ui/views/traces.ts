import { type Filters, isCursor, isIsoDate, isName, isPositiveNumber, pickFilters } from "./query.ts";
import type { RedBucket, ServiceStats } from "./types.ts";

export const WINDOW_HOURS = ["1", "3", "6", "24"] as const;
export const TRACE_STATUSES = ["ok", "error", "unset"] as const;

/** The trace search's filters from its URL; `to` pins the window (next-page links carry it). */
export function traceListQuery(
  query: Record<string, string | undefined>,
  now: number,
): { filters: Filters; cursor?: string; from: string; to: string; hours: number } {
  const filters = pickFilters(query, {
    service: isName,
    status: TRACE_STATUSES,
    minDurationMs: isPositiveNumber,
    hours: WINDOW_HOURS,
    to: isIsoDate,
  });
  const hours = Number(filters.hours ?? "1");
  const to = filters.to ? Date.parse(filters.to) : now;
  const cursor = query.cursor && isCursor(query.cursor) ? query.cursor : undefined;
  return {
    filters,
    cursor,
    hours,
    to: new Date(to).toISOString(),
    from: new Date(to - hours * 3600_000).toISOString(),
  };
}

export interface Series {
  label: string;
  values: Array<number | null>;
}

export interface RedCharts {
  x: number[];
  services: string[];
  rate: Series[];
  errorRate: Series[];
  p95: Series[];
}

/**
 * Rate (requests per minute), error rate (%) and p95 (ms) per service per bucket: the RED charts,
 * from GET /api/v1/services/red's buckets. A bucket without requests of a service has no error
 * rate or p95 (a gap, not a zero); a point sits at its bucket's end.
 */
export function redCharts(buckets: RedBucket[], only?: string): RedCharts {
  const names = new Set<string>();
  for (const b of buckets) for (const s of b.services) if (!only || s.service === only) names.add(s.service);
  const services = [...names].sort();
  const series = (pick: (s: ServiceStats, minutes: number) => number | null) =>
    services.map((name) => ({
      label: name,
      values: buckets.map((b) => {
        const s = b.services.find((x) => x.service === name);
        const minutes = (Date.parse(b.to) - Date.parse(b.from)) / 60_000;
        return s ? pick(s, minutes) : null;
      }),
    }));
  return {
    x: buckets.map((b) => Date.parse(b.to) / 1000),
    services,
    rate: series((s, minutes) => Number((s.requests / minutes).toFixed(3))),
    errorRate: series((s) => (s.requests ? Number((s.errorRate * 100).toFixed(2)) : null)),
    p95: series((s) => s.p95Ms),
  };
}

export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  service: string;
  startTime: string;
  startTimeUnixNano: string;
  durationMs: number;
  depth: number;
  status: { code: string; message: string | null };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: unknown[];
}

export interface WaterfallRow {
  span: WaterfallSpan;
  /** Offset from the trace's start and width, in percent of the trace's duration. */
  offsetPct: number;
  widthPct: number;
  offsetMs: number;
  error: boolean;
  events: Array<{ name: string; offsetMs: number; attributes: Record<string, unknown>; stacktrace?: string }>;
}

/**
 * A trace as a waterfall: spans in tree order (as the API gives them) placed on the trace's time
 * axis. Nanosecond starts are compared as BigInt: a double loses them.
 */
export function waterfall(spans: WaterfallSpan[]): {
  rows: WaterfallRow[];
  durationMs: number;
  start?: string;
} {
  if (!spans.length) return { rows: [], durationMs: 0 };
  const starts = spans.map((s) => BigInt(s.startTimeUnixNano));
  const t0 = starts.reduce((a, b) => (b < a ? b : a));
  const endMs = Math.max(...spans.map((s, i) => Number(starts[i]! - t0) / 1e6 + s.durationMs));
  const total = endMs > 0 ? endMs : 1;
  const rows = spans.map((span, i) => {
    const offsetMs = Number(starts[i]! - t0) / 1e6;
    const events = (span.events as Array<Record<string, unknown>>).map((e) => {
      const attributes = (e.attributes ?? {}) as Record<string, unknown>;
      const timeNs =
        typeof e.timeUnixNano === "string"
          ? e.timeUnixNano
          : typeof e.timeNs === "string"
            ? e.timeNs
            : undefined;
      const stack = attributes["exception.stacktrace"];
      return {
        name: String(e.name ?? "event"),
        offsetMs: timeNs && /^\d+$/.test(timeNs) ? Number(BigInt(timeNs) - t0) / 1e6 : offsetMs,
        attributes,
        stacktrace: typeof stack === "string" ? stack : undefined,
      };
    });
    return {
      span,
      offsetMs,
      offsetPct: (offsetMs / total) * 100,
      widthPct: Math.max((span.durationMs / total) * 100, 0.2),
      error: span.status.code === "error" || events.some((e) => e.name === "exception"),
      events,
    };
  });
  const first = spans[starts.indexOf(t0)]!;
  return { rows, durationMs: endMs, start: first.startTime };
}
