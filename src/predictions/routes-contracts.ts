import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { isoInstant } from "../http/bounded.ts";
import { createRouter } from "../http/env.ts";
import { notFound } from "../http/errors.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { DatasetContract } from "../schemas/contracts/model.ts";
import { listDatasetContracts } from "../schemas/contracts/read.ts";
import { contractViolations, inferContract, removeContract, saveContract } from "./contracts.ts";
import { Contract, ContractIn } from "./model.ts";
import { getContract, listContracts } from "./store.ts";

const ModelParam = z.object({
  model: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "model", in: "path" } }),
});

const Window = z.object({
  from: isoInstant().optional(),
  to: isoInstant().optional(),
});

/** Model contracts (and the list of every contract). Mounted by predictionRoutes. */
export function contractRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;

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
      const { model } = c.req.valid("param");
      const { contract, created } = await saveContract(db, c.get("project").id, model, c.req.valid("json"));
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
      if (!(await removeContract(db, c.get("project").id, c.req.valid("param").model)))
        throw notFound("No contract for this model");
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
      const { from, to, ...options } = c.req.valid("json");
      const inferred = await inferContract(db, c.get("project").id, c.req.valid("param").model, {
        ...options,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
      return c.json(inferred, 200);
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
      const { from, to } = c.req.valid("query");
      const violations = await contractViolations(db, c.get("project").id, c.req.valid("param").model, {
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
      return c.json(violations, 200);
    },
  );
  return app;
}
