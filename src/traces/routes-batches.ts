/**
 * `/api/v1/span-batches`: the accepted OTLP batches the span writer could not write after its
 * retries. They are acknowledged spans, so they are never dropped silently: an operator inspects
 * one, fixes what failed it, and replays it — or drops it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { notFound } from "../http/errors.ts";
import { CommonErrorResponses, json } from "../http/openapi.ts";
import {
  dropFailedBatch,
  getFailedBatch,
  listFailedBatches,
  replayFailedBatch,
} from "./store/failed-batches.ts";
import type { SpanWriter } from "./store/writer.ts";

const BatchParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path" }, example: 42 }),
});

const FailedBatchSchema = z
  .object({
    id: z.number().int(),
    receivedAt: z.string(),
    spans: z.number().int(),
    days: z.array(z.string()),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    failedAt: z.string().nullable(),
  })
  .openapi("FailedSpanBatch");

const SpanSummary = z.object({
  traceId: z.string(),
  spanId: z.string(),
  name: z.string(),
  service: z.string(),
  startTime: z.string(),
});

export function spanBatchRoutes(deps: AppDeps, writer: SpanWriter) {
  const app = createRouter();
  const db = deps.database.db;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/span-batches",
      tags: ["traces"],
      summary: "Accepted OTLP batches the span writer gave up on (acknowledged spans not stored)",
      responses: {
        200: json(z.object({ batches: z.array(FailedBatchSchema) }), "Failed batches, oldest first"),
        ...CommonErrorResponses,
      },
    }),
    async (c) =>
      c.json({ batches: await listFailedBatches(db, c.get("project").id, writer.attemptLimit) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/span-batches/{id}",
      tags: ["traces"],
      summary: "One failed batch: its error and its first 100 spans",
      request: { params: BatchParam },
      responses: {
        200: json(FailedBatchSchema.extend({ sample: z.array(SpanSummary) }), "The batch"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const batch = await getFailedBatch(db, c.get("project").id, id, writer.attemptLimit);
      if (!batch) throw notFound(`No failed span batch ${id}`);
      return c.json(batch, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/span-batches/{id}/replay",
      tags: ["traces"],
      summary: "Write a failed batch again, from its first attempt",
      request: { params: BatchParam },
      responses: {
        202: json(z.object({ id: z.number().int(), replayed: z.literal(true) }), "Queued again"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await replayFailedBatch(db, c.get("project").id, id, writer.attemptLimit)))
        throw notFound(`No failed span batch ${id}`);
      writer.retry();
      return c.json({ id, replayed: true as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/span-batches/{id}",
      tags: ["traces"],
      summary: "Drop a failed batch and its spans for good",
      request: { params: BatchParam },
      responses: { 204: { description: "Dropped" }, ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await dropFailedBatch(db, c.get("project").id, id, writer.attemptLimit)))
        throw notFound(`No failed span batch ${id}`);
      c.get("log").warn({ batch: id }, "span batch dropped by request");
      return c.body(null, 204);
    },
  );

  return app;
}
