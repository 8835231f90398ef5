import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { badRequest } from "../http/errors.ts";
import { decompress } from "../http/middleware/decompress.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { INSERT_BATCH, ingestPredictions } from "./ingest.ts";
import { IngestResult, LabelsRequest, PredictionIn } from "./model.ts";
import { StreamParseError } from "./parse-stream.ts";
import { contractRoutes } from "./routes-contracts.ts";
import { splitJsonValues } from "./split-stream.ts";
import { upsertLabels } from "./store.ts";

/** Prediction logs and labels in; model contracts (routes-contracts.ts) mounted alongside. */
export function predictionRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;

  // The body is streamed (up to 100k rows), so zod does not parse it whole: the route is published
  // in OpenAPI by hand and each row is validated as it is read.
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/api/v1/predictions",
    summary: "Log predictions: a JSON array or NDJSON of rows (gzip allowed), up to 100k a request",
    description:
      "Idempotent by (model, requestId): a retried row is counted as a duplicate, not stored twice. " +
      "The request is stored whole or not at all. Rows breaking the model's contract are stored and flagged.",
    tags: ["predictions"],
    request: {
      body: {
        content: {
          "application/json": { schema: z.array(PredictionIn) },
          "application/x-ndjson": { schema: PredictionIn },
        },
      },
    },
    responses: {
      200: json(IngestResult, "Stored"),
      400: ErrorResponses[400],
      401: ErrorResponses[401],
      413: errorResponse("Too many rows or bytes (after decompression too)"),
      415: errorResponse("Unsupported Content-Encoding (gzip is)"),
    },
  });
  // The global body limit counts gzipped bytes: the same limit again on what they inflate to.
  app.post("/api/v1/predictions", decompress({ limit: deps.config.VIGIL_BODY_LIMIT }), async (c) => {
    const body = c.req.raw.body;
    if (!body) throw badRequest("Empty body: send a JSON array or NDJSON of predictions");
    try {
      const result = await ingestPredictions(db, c.get("project").id, splitJsonValues(body, INSERT_BATCH));
      return c.json(result, 200);
    } catch (error) {
      if (error instanceof StreamParseError)
        throw badRequest(`${error.message}; nothing was stored`, { index: error.index });
      throw error;
    }
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/labels",
      summary: "Ground truth for predictions, joined by requestId (labels may arrive before the prediction)",
      tags: ["predictions"],
      request: { body: { content: { "application/json": { schema: LabelsRequest } }, required: true } },
      responses: {
        200: json(
          z.object({
            received: z.number().int(),
            matched: z.number().int().openapi({ description: "Stored predictions that got the label now" }),
          }),
          "Stored",
        ),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const labels = Array.isArray(body) ? body : [body];
      const matched = await upsertLabels(
        db,
        c.get("project").id,
        labels.map((l) => ({
          model: l.model ?? "",
          request_id: l.requestId,
          label: l.label,
          ts: l.timestamp === undefined ? null : new Date(l.timestamp).toISOString(),
        })),
      );
      return c.json({ received: labels.length, matched }, 200);
    },
  );

  app.route("/", contractRoutes(deps));
  return app;
}
