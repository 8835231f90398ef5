import { z } from "@hono/zod-openapi";
import { SPAN_KINDS, STATUS_CODES } from "./model.ts";

export const SpanSchema = z
  .object({
    traceId: z.string(),
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    name: z.string(),
    kind: z.enum(SPAN_KINDS),
    service: z.string(),
    startTime: z.string().openapi({ description: "ISO 8601, microseconds" }),
    startTimeUnixNano: z.string(),
    durationNs: z.string(),
    durationMs: z.number(),
    status: z.object({ code: z.enum(STATUS_CODES), message: z.string().nullable() }),
    traceState: z.string().nullable(),
    flags: z.number().int().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    resource: z.record(z.string(), z.unknown()),
    scope: z.record(z.string(), z.unknown()),
    events: z.array(z.unknown()),
    links: z.array(z.unknown()),
    dropped: z.record(z.string(), z.unknown()),
  })
  .openapi("Span");

export const TraceSummarySchema = z
  .object({
    traceId: z.string(),
    rootService: z.string(),
    rootName: z.string(),
    startTime: z.string(),
    startTimeUnixNano: z.string(),
    durationMs: z.number(),
    spanCount: z.number().int(),
    errorCount: z.number().int(),
    services: z.array(z.string()),
  })
  .openapi("TraceSummary");

export const ServiceStatsSchema = z
  .object({
    service: z.string(),
    requests: z.number().int(),
    errors: z.number().int(),
    errorRate: z.number(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
  })
  .openapi("ServiceStats");
