import { createRoute, z } from "@hono/zod-openapi";
import { Registry } from "prom-client";
import type { AppDeps } from "../deps.ts";
import { isoInstant, MAX_BIGINT, MAX_DURATION_MS, queryNumber } from "../http/bounded.ts";
import { createRouter } from "../http/env.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { concurrencyLimit } from "../http/middleware/concurrency-limit.ts";
import { CommonErrorResponses, ErrorSchema } from "../http/openapi.ts";
import { bucketEdges, MAX_BUCKETS } from "./buckets.ts";
import { acceptSpans } from "./ingest.ts";
import { createOtlpMetrics, type OtlpMetrics } from "./metrics.ts";
import { encodingOf } from "./otlp/encoding.ts";
import { jsonResponse } from "./otlp/json.ts";
import { encodeProtobufResponse } from "./otlp/protobuf.ts";
import { sharedPreparePool } from "./prepare/pool.ts";
import { spanBatchRoutes } from "./routes-batches.ts";
import { ServiceStatsSchema, SpanSchema, TraceSummarySchema } from "./schemas.ts";
import { listTraces, serviceStats, traceSpans } from "./store/queries.ts";
import { serviceRed } from "./store/red.ts";
import { retentionDays } from "./store/retention.ts";
import type { SpanWriter } from "./store/writer.ts";
import { spanTree } from "./tree.ts";

const HOUR = 3_600_000;

/** OTLP error bodies: google.rpc.Status in the request's encoding (src/traces/otlp/error-responses.ts). */
const OtlpErrorSchema = ErrorSchema.extend({
  code: z.number().int().openapi({ description: "google.rpc.Code" }),
  message: z.string(),
}).openapi("OtlpError", {
  description: "google.rpc.Status (code, message) in the JSON mapping, with Vigil's `error` object too",
});
const otlpError = (description: string) => ({
  description,
  content: {
    "application/json": { schema: OtlpErrorSchema },
    "application/x-protobuf": {
      schema: z.string().openapi({ format: "binary", description: "google.rpc.Status" }),
    },
  },
});

/** `metrics`: the receiver's counters on the app's registry (src/app.ts); a private one otherwise. */
export function traceRoutes(
  deps: AppDeps,
  spanWriter: SpanWriter,
  metrics: OtlpMetrics = createOtlpMetrics(new Registry()),
) {
  const app = createRouter();
  const { database, config } = deps;
  spanWriter.useMetrics(metrics);
  const pool = sharedPreparePool(config.VIGIL_OTLP_THREADS);
  // Leave pool connections for the span writers, queries and jobs; PGlite has one connection anyway.
  const concurrency =
    database.kind === "postgres" ? Math.max(1, config.VIGIL_DB_POOL_SIZE - 2 - config.VIGIL_OTLP_WRITERS) : 2;
  const ingestLimit = concurrencyLimit({
    max: concurrency,
    queue: concurrency * 4,
    retryAfter: 1,
    message: "Vigil is busy ingesting; retry later",
  });

  // OTLP/HTTP: the body is binary or gzipped, so it is read here, not by a zod body validator;
  // the path is registered in the OpenAPI document by hand.
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/traces",
    tags: ["traces"],
    summary: "OTLP/HTTP trace export (ExportTraceServiceRequest), protobuf or JSON, optionally gzipped",
    request: {
      body: {
        content: {
          "application/x-protobuf": { schema: z.string().openapi({ format: "binary" }) },
          "application/json": {
            schema: z.object({ resourceSpans: z.array(z.record(z.string(), z.unknown())) }).openapi({
              description: "OTLP/JSON: hex ids, enums as integers, 64-bit integers as strings",
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description:
          "ExportTraceServiceResponse in the request's encoding; partialSuccess counts rejected spans",
        content: {
          "application/json": {
            schema: z.object({
              partialSuccess: z.object({ rejectedSpans: z.string(), errorMessage: z.string() }).optional(),
            }),
          },
          "application/x-protobuf": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
      400: otlpError("Undecodable body (protobuf, JSON or gzip)"),
      401: otlpError("Missing or invalid API key"),
      413: otlpError("Body too large (after decompression too)"),
      415: otlpError("Unsupported Content-Type or Content-Encoding (the body is JSON then)"),
      429: otlpError("Busy; retry after Retry-After seconds"),
      503: otlpError("Database unavailable; retry after Retry-After seconds"),
    },
  });

  app.post(
    "/v1/traces",
    // A Content-Type that is not OTLP is a 415 at once, not a place in the queue.
    (c, next) => {
      encodingOf(c.req.header("content-type"));
      return next();
    },
    ingestLimit,
    async (c) => {
      const encoding = encodingOf(c.req.header("content-type"));
      const started = performance.now();
      const prepared = await pool.run({
        projectId: c.get("project").id,
        body: new Uint8Array(await c.req.arrayBuffer()),
        encoding,
        contentEncoding: c.req.header("content-encoding"),
        limit: config.VIGIL_BODY_LIMIT,
        nowMs: Date.now(),
        retentionDays: retentionDays(config),
      });
      await acceptSpans(spanWriter, c.get("project").id, prepared);
      const { received, rejected, errorMessage } = prepared;
      c.get("log").debug({ received, rejected, errorMessage }, "otlp traces");
      // accepted and duplicate are counted when the batch is written (src/traces/store/writer.ts).
      metrics.spans.inc({ outcome: "rejected" }, rejected);
      metrics.batchSpans.observe({ encoding }, received);
      metrics.ingestSeconds.observe({ encoding }, (performance.now() - started) / 1000);
      if (encoding === "protobuf") {
        return c.body(new Uint8Array(encodeProtobufResponse(rejected, errorMessage)), 200, {
          "content-type": "application/x-protobuf",
        });
      }
      return c.json(jsonResponse(rejected, errorMessage), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/traces/{traceId}",
      tags: ["traces"],
      summary: "One trace: its spans in tree order (depth, children), with the root span ids",
      request: {
        params: z.object({
          traceId: z
            .string()
            .regex(/^[0-9a-fA-F]{32}$/, "a trace id is 32 hex digits")
            .openapi({ param: { name: "traceId", in: "path" } }),
        }),
      },
      responses: {
        200: {
          description: "The trace",
          content: {
            "application/json": {
              schema: z.object({
                traceId: z.string(),
                roots: z.array(z.string()),
                spans: z.array(SpanSchema.extend({ depth: z.number().int(), children: z.array(z.string()) })),
              }),
            },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const traceId = c.req.valid("param").traceId.toLowerCase();
      const spans = await traceSpans(database, c.get("project").id, traceId);
      if (!spans.length) throw notFound(`No trace ${traceId}`);
      const { roots, ordered } = spanTree(spans);
      return c.json({ traceId, roots, spans: ordered.map(({ startNs: _, ...s }) => s) }, 200);
    },
  );

  const Window = {
    from: isoInstant().optional().openapi({ description: "Default: an hour before `to`" }),
    to: isoInstant().optional().openapi({ description: "Default: now" }),
  };
  const window = (q: { from?: string; to?: string }) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - HOUR);
    if (from >= to) throw badRequest("`from` must be before `to`");
    return { from, to };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/traces",
      tags: ["traces"],
      summary: "Traces that started in a window, newest first, filtered and paginated",
      request: {
        query: z.object({
          ...Window,
          service: z
            .string()
            .min(1)
            .optional()
            .openapi({ description: "Traces with a span of this service" }),
          status: z.enum(["ok", "error", "unset"]).optional(),
          minDurationMs: queryNumber(0, MAX_DURATION_MS).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
      },
      responses: {
        200: {
          description: "A page of traces",
          content: {
            "application/json": {
              schema: z.object({ traces: z.array(TraceSummarySchema), nextCursor: z.string().nullable() }),
            },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (q.cursor && !cursor) throw badRequest("Invalid cursor");
      const traces = await listTraces(database, c.get("project").id, { ...q, ...window(q), cursor });
      const last = traces.at(-1);
      const nextCursor =
        traces.length === q.limit && last ? encodeCursor(last.startTimeUnixNano, last.traceId) : null;
      return c.json({ traces, nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/services",
      tags: ["traces"],
      summary: "Per service over a window: requests (entry spans), errors, error rate, p50/p95/p99 duration",
      request: { query: z.object(Window) },
      responses: {
        200: {
          description: "Service statistics",
          content: {
            "application/json": {
              schema: z.object({ from: z.string(), to: z.string(), services: z.array(ServiceStatsSchema) }),
            },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { from, to } = window(c.req.valid("query"));
      const services = await serviceStats(database, c.get("project").id, from, to);
      return c.json({ from: from.toISOString(), to: to.toISOString(), services }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/services/red",
      tags: ["traces"],
      summary: "RED over time: per service the window's statistics and each of `buckets` equal sub-windows'",
      request: {
        query: z.object({
          ...Window,
          buckets: z.coerce
            .number()
            .int()
            .min(1)
            .max(MAX_BUCKETS)
            .default(12)
            .openapi({ description: `Equal sub-windows of [from, to), 1–${MAX_BUCKETS}` }),
          service: z.string().min(1).optional().openapi({ description: "Only this service" }),
        }),
      },
      responses: {
        200: {
          description:
            "`services` as GET /api/v1/services gives for the window; per bucket, oldest first, the same for the bucket",
          content: {
            "application/json": {
              schema: z.object({
                from: z.string(),
                to: z.string(),
                services: z.array(ServiceStatsSchema),
                buckets: z.array(
                  z.object({ from: z.string(), to: z.string(), services: z.array(ServiceStatsSchema) }),
                ),
              }),
            },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { from, to } = window(q);
      if (to.getTime() - from.getTime() < q.buckets) throw badRequest("Each bucket must span at least 1 ms");
      const edges = bucketEdges(from, to, q.buckets);
      const red = await serviceRed(database, c.get("project").id, edges, q.service);
      return c.json(
        {
          from: from.toISOString(),
          to: to.toISOString(),
          services: red.services,
          buckets: red.buckets.map((services, i) => ({
            from: edges[i]!.toISOString(),
            to: edges[i + 1]!.toISOString(),
            services,
          })),
        },
        200,
      );
    },
  );

  app.route("/", spanBatchRoutes(deps, spanWriter));
  return app;
}

function encodeCursor(startNs: string, traceId: string): string {
  return Buffer.from(`${startNs}|${traceId}`).toString("base64url");
}

function decodeCursor(cursor: string): { startNs: string; traceId: string } | undefined {
  const m = /^(\d{1,19})\|([0-9a-f]{32})$/.exec(Buffer.from(cursor, "base64url").toString());
  // A forged cursor may name a start past what the bigint column holds.
  return m && BigInt(m[1]!) <= MAX_BIGINT ? { startNs: m[1]!, traceId: m[2]! } : undefined;
}
