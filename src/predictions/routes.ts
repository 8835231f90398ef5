import { createRoute, z } from "@hono/zod-openapi";
import type { Db } from "../db/client.ts";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { decompress } from "../http/middleware/decompress.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { declareModelInputs } from "../schemas/lineage-store.ts";
import { checkBatchRules } from "./batch-rules.ts";
import { inferFields } from "./contract-infer.ts";
import { validateBatchRules, validateFieldRules } from "./contract-rules.ts";
import { listDatasetContracts } from "./dataset-contract-store.ts";
import { INSERT_BATCH, ingestPredictions } from "./ingest.ts";
import { Contract, ContractIn, DatasetContract, IngestResult, LabelsRequest, PredictionIn } from "./model.ts";
import { parseJsonValues, StreamParseError } from "./parse-stream.ts";
import { resolveDeletedContract, settleStoredContract } from "./resolve.ts";
import { registerDatasetContractRoutes } from "./routes-dataset-contracts.ts";
import {
  deleteContract,
  featureRows,
  getContract,
  listContracts,
  putContract,
  upsertLabels,
  violationStats,
  windowCounts,
} from "./store.ts";

const ModelParam = z.object({
  model: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "model", in: "path" } }),
});
/** The declarer name of contracts' model inputs in lineage (monitors and the inputs route have theirs). */
export const CONTRACT_DECLARER = "contract";

const Window = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

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
      const result = await ingestPredictions(db, c.get("project").id, parseJsonValues(body, INSERT_BATCH));
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

  // ---- contracts ----

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/contracts",
      summary: "Every data contract of the project",
      tags: ["contracts"],
      responses: {
        200: json(
          z.object({ contracts: z.array(Contract), datasets: z.array(DatasetContract) }),
          "Model contracts, and dataset contracts",
        ),
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      return c.json(
        {
          contracts: await listContracts(db, projectId),
          datasets: await listDatasetContracts(db, projectId),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/contracts/{model}",
      summary: "A model's data contract",
      tags: ["contracts"],
      request: { params: ModelParam },
      responses: { 200: json(Contract, "The contract"), 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const contract = await getContract(db, c.get("project").id, c.req.valid("param").model);
      if (!contract) throw notFound("No contract for this model");
      return c.json(contract, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/contracts/{model}",
      summary: "Declare or replace a model's data contract (its version goes up)",
      tags: ["contracts"],
      request: {
        params: ModelParam,
        body: { content: { "application/json": { schema: ContractIn } }, required: true },
      },
      responses: {
        200: json(Contract, "Replaced"),
        201: json(Contract, "Created"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      validateFieldRules(input.fields);
      validateBatchRules(input.batch);
      const projectId = c.get("project").id;
      const { model } = c.req.valid("param");
      const { contract, created } = await db.transaction(async (t) => {
        const tx = t as unknown as Db;
        const put = await putContract(tx, projectId, model, input, "api");
        // Lineage: the model reads these dataset fields, so their breaking changes reach it.
        if (input.sources !== undefined)
          await declareModelInputs(tx, projectId, model, input.sources, { by: CONTRACT_DECLARER });
        return put;
      });
      await settleStoredContract(db, projectId, model, contract, `contract version ${contract.version}`);
      return created ? c.json(contract, 201) : c.json(contract, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/contracts/{model}",
      summary: "Remove a model's contract (stored rows keep their flags)",
      tags: ["contracts"],
      request: { params: ModelParam },
      responses: { 204: { description: "Deleted" }, 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      const { model } = c.req.valid("param");
      // One transaction, as for PUT: the contract and its lineage declaration go together.
      const deleted = await db.transaction(async (t) => {
        const tx = t as unknown as Db;
        const existing = await getContract(tx, projectId, model);
        if (!existing || !(await deleteContract(tx, projectId, model))) return false;
        if (existing.sources) await declareModelInputs(tx, projectId, model, [], { by: CONTRACT_DECLARER });
        return true;
      });
      if (!deleted) throw notFound("No contract for this model");
      await resolveDeletedContract(db, projectId, model);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/contracts/{model}/infer",
      summary: "Infer field rules from a reference window of stored predictions; save them with save=true",
      tags: ["contracts"],
      request: {
        params: ModelParam,
        body: {
          content: {
            "application/json": {
              schema: Window.extend({
                limit: z.number().int().min(1).max(100_000).default(10_000),
                save: z.boolean().default(false),
                violationThreshold: z.number().min(0).max(1).default(0.05),
              }),
            },
          },
        },
      },
      responses: {
        200: json(
          z.object({ rows: z.number().int(), contract: z.union([Contract, ContractIn]) }),
          "Inferred",
        ),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
        422: errorResponse("No rows in the window"),
      },
    }),
    async (c) => {
      const { model } = c.req.valid("param");
      const body = c.req.valid("json");
      const rows = await featureRows(db, c.get("project").id, model, {
        from: body.from ? new Date(body.from) : undefined,
        to: body.to ? new Date(body.to) : undefined,
        limit: body.limit,
      });
      if (rows.length === 0)
        throw new ApiError(422, "no_rows", `No predictions of model ${model} in the window`);
      const input: ContractIn = {
        fields: inferFields(rows),
        violationThreshold: body.violationThreshold,
        detectSchemaChanges: true,
      };
      if (!body.save) return c.json({ rows: rows.length, contract: input }, 200);
      const { contract } = await putContract(db, c.get("project").id, model, input, "inferred");
      await settleStoredContract(
        db,
        c.get("project").id,
        model,
        contract,
        `inferred contract version ${contract.version}`,
      );
      return c.json({ rows: rows.length, contract }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/contracts/{model}/violations",
      summary:
        "Violation counts by field and rule over a window (default: the last 24 hours), and batch rules",
      tags: ["contracts"],
      request: { params: ModelParam, query: Window },
      responses: {
        200: json(
          z.object({
            model: z.string(),
            from: z.string(),
            to: z.string(),
            rows: z.number().int(),
            flagged: z.number().int(),
            violationRate: z.number(),
            byRule: z.record(z.string(), z.number().int()),
            batch: z.array(z.object({ rule: z.string(), ok: z.boolean(), message: z.string() })),
          }),
          "Violations",
        ),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const { model } = c.req.valid("param");
      const q = c.req.valid("query");
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
      const projectId = c.get("project").id;
      const stats = await violationStats(db, projectId, model, from, to);
      const contract = await getContract(db, projectId, model);
      const batch = contract
        ? checkBatchRules(
            contract.batch,
            await windowCounts(
              db,
              projectId,
              model,
              new Date(Date.now() - contract.batch.windowSeconds * 1000),
            ),
            new Date(),
          )
        : [];
      return c.json(
        {
          model,
          from: from.toISOString(),
          to: to.toISOString(),
          rows: stats.rows,
          flagged: stats.flagged,
          violationRate: stats.rows ? stats.flagged / stats.rows : 0,
          byRule: stats.byRule,
          batch,
        },
        200,
      );
    },
  );

  registerDatasetContractRoutes(app, deps);
  return app;
}
