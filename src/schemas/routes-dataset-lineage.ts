import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { DEFAULT_LINEAGE_DEPTH, LineageGraphSchema, MAX_LINEAGE_DEPTH } from "./lineage-graph.ts";
import { lineageAround } from "./lineage-graph-store.ts";
import { findDataset } from "./store.ts";

const lineageRoute = createRoute({
  method: "get",
  path: "/api/v1/datasets/{name}/lineage",
  summary: "The lineage around a dataset: upstream and downstream nodes, their edges and field edges",
  description:
    "Walks the lineage graph `depth` hops each way (dataset → job → dataset is two hops): the datasets " +
    "and jobs it is made from, and the jobs, datasets and models made from it, with the node-level " +
    "edges between them and the field-level edges (OpenLineage columnLineage, declared model inputs). " +
    "Cycle-safe; each direction keeps its nearest nodes up to a cap (`truncated`).",
  tags: ["datasets", "lineage"],
  request: {
    params: z.object({
      name: z
        .string()
        .min(1)
        .max(1000)
        .openapi({ param: { name: "name", in: "path" }, example: "orders" }),
    }),
    query: z.object({
      namespace: z.string().min(1).max(1000).optional().openapi({
        description: "The dataset's namespace: `default` when omitted, or the only one that has this name",
      }),
      depth: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_LINEAGE_DEPTH)
        .default(DEFAULT_LINEAGE_DEPTH)
        .openapi({ description: `Hops each way, 1 to ${MAX_LINEAGE_DEPTH}` }),
    }),
  },
  responses: {
    200: json(LineageGraphSchema, "The lineage around the dataset"),
    400: errorResponse("A depth out of range"),
    401: ErrorResponses[401],
    404: ErrorResponses[404],
    409: errorResponse("The name exists in several namespaces: pass namespace"),
  },
});

/** The read of the lineage graph around one dataset. Mounted by schemaRoutes. */
export function datasetLineageRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(lineageRoute, async (c) => {
    const { name } = c.req.valid("param");
    const q = c.req.valid("query");
    const projectId = c.get("project").id;
    const ds = await findDataset(deps.database.db, projectId, name, q.namespace);
    const graph = await lineageAround(
      deps.database.db,
      projectId,
      { id: ds.id, kind: "dataset", namespace: ds.namespace, name: ds.name },
      q.depth,
    );
    return c.json(graph, 200);
  });
  return app;
}
