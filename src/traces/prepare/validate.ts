import type { DecodedSpan, SpanRecord } from "../model.ts";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;
const NS_PER_DAY = 86_400_000_000_000n;
/** The largest value of a (signed 32-bit) integer column. */
const MAX_FLAGS = 2 ** 31 - 1;

const inRange = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

export interface Validated {
  records: SpanRecord[];
  rejected: number;
  /** One line for partial_success.error_message; empty when nothing was rejected. */
  errorMessage: string;
}

export interface ValidationOptions {
  /** "now" in Unix nanoseconds (injectable for tests). */
  nowNs: bigint;
  /** Spans that started before now − retention would be dropped at once: rejected instead. */
  retentionDays: number;
  /** Clock skew allowed into the future. */
  maxFutureNs?: bigint;
}

/**
 * Decoded spans → records for the store, or rejections with the reason (counted in OTLP
 * partial success). Pure. A span is rejected for: ids of the wrong length or all zero, no name,
 * end before start, a start time of 0, a start outside what retention keeps, an end more than a
 * day in the future, or a kind, status code or flags outside what OTLP defines. Every value that
 * reaches a typed column is bounded here: an export that is acknowledged must be writable, or its
 * spans would be lost after the 200.
 */
export function validateSpans(
  spans: DecodedSpan[],
  options: ValidationOptions,
  malformed: string[] = [],
): Validated {
  const reasons = new Map<string, number>();
  const reject = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  for (const why of malformed) reject(why);
  const oldest = options.nowNs - BigInt(options.retentionDays) * NS_PER_DAY;
  const newest = options.nowNs + (options.maxFutureNs ?? NS_PER_DAY);
  const records: SpanRecord[] = [];
  for (const s of spans) {
    const why = problem(s, oldest, newest);
    if (why) {
      reject(why);
      continue;
    }
    const service = s.resource["service.name"];
    records.push({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId || null,
      traceState: s.traceState || null,
      flags: s.flags || null,
      name: s.name,
      kind: s.kind,
      service: typeof service === "string" && service ? service : "unknown_service",
      startNs: s.startNs,
      durationNs: s.endNs - s.startNs,
      attributes: s.attributes,
      events: s.events,
      links: s.links,
      statusCode: s.statusCode,
      statusMessage: s.statusMessage || null,
      dropped: s.dropped,
      resource: s.resource,
      scope: s.scope,
    });
  }
  const rejected = [...reasons.values()].reduce((a, b) => a + b, 0);
  const errorMessage = [...reasons].map(([why, n]) => `${n} × ${why}`).join("; ");
  return { records, rejected, errorMessage: rejected ? `${rejected} spans rejected: ${errorMessage}` : "" };
}

function problem(s: DecodedSpan, oldest: bigint, newest: bigint): string | undefined {
  if (!TRACE_ID.test(s.traceId) || ZERO.test(s.traceId)) return "invalid trace id (need 16 non-zero bytes)";
  if (!SPAN_ID.test(s.spanId) || ZERO.test(s.spanId)) return "invalid span id (need 8 non-zero bytes)";
  if (s.parentSpanId && (!SPAN_ID.test(s.parentSpanId) || ZERO.test(s.parentSpanId))) {
    return "invalid parent span id (need 8 non-zero bytes or none)";
  }
  if (!s.name) return "missing span name";
  if (s.startNs <= 0n) return "missing start time";
  if (s.endNs < s.startNs) return "end time before start time";
  if (s.startNs < oldest) return "start time older than the retention period";
  if (s.startNs > newest) return "start time more than a day in the future";
  // duration_ns is a signed 64-bit column: an end this bounded keeps it in range.
  if (s.endNs > newest) return "end time more than a day in the future";
  if (!inRange(s.kind, 0, 5)) return "unknown span kind";
  if (!inRange(s.statusCode, 0, 2)) return "unknown status code";
  // flags is fixed32 on the wire and an integer column here; OTLP defines bits 0–9 only.
  if (!inRange(s.flags, 0, MAX_FLAGS)) return "invalid flags";
  return undefined;
}
