/**
 * Dataset contracts over HTTP: `/api/v1/datasets/{name}/contract` (GET, PUT, DELETE), next to the
 * dataset's schema routes. A contract may be declared before Vigil has seen the dataset.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Db } from "../../db/client.ts";
import type { AppDeps } from "../../deps.ts";
import { createRouter } from "../../http/env.ts";
import { notFound } from "../../http/errors.ts";
import { ErrorResponses, json } from "../../http/openapi.ts";
import { DomainError } from "../../lib/errors.ts";
import { DEFAULT_NAMESPACE, findDataset, getSnapshot } from "../store.ts";
import { checkDatasetSnapshot, resolveDroppedRules } from "./enforce.ts";
import { DatasetContract, DatasetContractIn } from "./model.ts";
import { validateBatchRules, validateFieldRules } from "./rules.ts";
import { deleteDatasetContract, getDatasetContract, putDatasetContract } from "./store.ts";

const Params = z.object({
  name: z
    .string()
    .min(1)
    .max(1000)
    .openapi({ param: { name: "name", in: "path" }, example: "orders" }),
});
const Query = z.object({
  namespace: z.string().min(1).max(1000).optional().openapi({
    description: "The dataset's namespace (OpenLineage: the data source); `default` when omitted",
  }),
});

const DatasetContractPut = DatasetContract.extend({
  schemaCheck: z
    .object({
      schemaVersion: z.number().int(),
      violations: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })),
    })
    .optional()
    .openapi({
      description: "The dataset's current schema against the new contract (absent: no schema yet)",
    }),
}).openapi("DatasetContractPut");
type DatasetContractPut = z.infer<typeof DatasetContractPut>;

/** The dataset's newest schema snapshot, if Vigil has one. */
async function currentSchema(db: Db, projectId: string, namespace: string, name: string) {
  let datasetId: string;
  try {
    datasetId = (await findDataset(db, projectId, name, namespace)).id;
  } catch (e) {
    if (e instanceof DomainError && e.kind === "not_found") return undefined;
    throw e;
  }
  const snap = await getSnapshot(db, datasetId);
  return snap ? { schema: snap.schema, format: snap.format, version: snap.version } : undefined;
}

/** Dataset contract routes. Mounted by schemaRoutes. */
export function datasetContractRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;
  const where = (param: { name: string }, query: { namespace?: string }) => ({
    name: param.name,
    namespace: query.namespace ?? DEFAULT_NAMESPACE,
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/datasets/{name}/contract",
      summary: "A dataset's data contract",
      tags: ["contracts"],
      request: { params: Params, query: Query },
      responses: {
        200: json(DatasetContract, "The contract"),
        401: ErrorResponses[401],
        404: ErrorResponses[404],
      },
    }),
    async (c) => {
      const { name, namespace } = where(c.req.valid("param"), c.req.valid("query"));
      const contract = await getDatasetContract(db, c.get("project").id, namespace, name);
      if (!contract) throw notFound(`No contract for dataset "${name}" in namespace "${namespace}"`);
      return c.json(contract, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/datasets/{name}/contract",
      summary: "Declare or replace a dataset's data contract (its version goes up)",
      description:
        "Field rules are checked against every schema snapshot of the dataset (posted or from OpenLineage): " +
        "field present, type compatible, nullable. Batch rules: `minRows`/`maxRows` against OpenLineage " +
        "`outputStatistics.rowCount` of each completed write, `freshnessSeconds` against the last write. " +
        "Breaks open `validation` incidents that resolve when a later snapshot or write satisfies the contract, " +
        "or when the rule is dropped from the contract (or the contract deleted).",
      tags: ["contracts"],
      request: {
        params: Params,
        query: Query,
        body: { content: { "application/json": { schema: DatasetContractIn } }, required: true },
      },
      responses: {
        200: json(DatasetContractPut, "Replaced"),
        201: json(DatasetContractPut, "Created"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      validateFieldRules(input.fields);
      validateBatchRules(input.batch);
      const { name, namespace } = where(c.req.valid("param"), c.req.valid("query"));
      const projectId = c.get("project").id;
      const { contract, created } = await putDatasetContract(db, projectId, namespace, name, input);
      await resolveDroppedRules(
        db,
        projectId,
        { namespace, name },
        contract.batch,
        `contract version ${contract.version} no longer has the rule`,
      );
      // The dataset's current schema is judged at once, so a stricter contract opens its incident now
      // and a relaxed one resolves it without waiting for the next snapshot.
      const current = await currentSchema(db, projectId, namespace, name);
      const body: DatasetContractPut = { ...contract };
      if (current) {
        const r = await checkDatasetSnapshot(
          db,
          projectId,
          { namespace, name },
          {
            schema: current.schema,
            knowsNulls: current.format !== "openlineage",
            at: new Date(),
            write: false,
            schemaVersion: current.version,
          },
        );
        body.schemaCheck = { schemaVersion: current.version, violations: r.violations ?? [] };
      }
      return created ? c.json(body, 201) : c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/datasets/{name}/contract",
      summary: "Remove a dataset's contract",
      tags: ["contracts"],
      request: { params: Params, query: Query },
      responses: { 204: { description: "Deleted" }, 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const { name, namespace } = where(c.req.valid("param"), c.req.valid("query"));
      const projectId = c.get("project").id;
      if (!(await deleteDatasetContract(db, projectId, namespace, name)))
        throw notFound(`No contract for dataset "${name}" in namespace "${namespace}"`);
      await resolveDroppedRules(db, projectId, { namespace, name }, null, "the contract was deleted");
      return c.body(null, 204);
    },
  );
  return app;
}
