import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { decompress } from "../http/middleware/decompress.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { notParseable } from "./errors.ts";
import { ingestLineageEvents } from "./ingest.ts";
import { declareModelInputs, getModelDeclarations, getModelInputs } from "./lineage-store.ts";
import { ModelInputSchema } from "./model-input.ts";

/** At most this many events in one request (a JSON array); one event is the usual client call. */
export const MAX_EVENTS_PER_REQUEST = 1000;

const Ref = z.object({ namespace: z.string(), name: z.string() });
const EventResultSchema = z
  .object({
    kind: z.enum(["run", "job", "dataset"]),
    runId: z.string().optional(),
    eventType: z.string().optional(),
    duplicate: z
      .boolean()
      .openapi({ description: "Seen before (same runId + eventType + eventTime): not applied again" }),
    job: Ref.optional(),
    datasets: z.number().int(),
    fieldEdges: z.number().int(),
    snapshots: z.array(
      Ref.extend({
        version: z.number().int(),
        created: z.boolean(),
        stale: z
          .boolean()
          .openapi({ description: "Older than the current version (out-of-order event): ignored" }),
        breaking: z.boolean(),
      }),
    ),
    incidents: z.array(
      z.object({ id: z.string(), created: z.boolean(), dataset: Ref, impacted: z.number().int() }),
    ),
    resolvedIncidents: z
      .array(z.string())
      .openapi({ description: "Earlier schema incidents a new version fixed, resolved automatically" }),
  })
  .openapi("LineageEventResult");

const lineageRoute = createRoute({
  method: "post",
  path: "/api/v1/lineage",
  summary: "OpenLineage events (RunEvent, JobEvent, DatasetEvent), as Marquez takes them",
  description:
    "Point an OpenLineage client's HTTP transport at Vigil. Datasets (namespace + name), jobs and their " +
    "dataset → job → dataset edges are recorded; `schema` facets become schema versions (a new one when the " +
    "content changed, with the classified diff; an empty field list is ignored); `columnLineage` becomes " +
    "field-level edges. Idempotent: an event with the same runId + eventType + eventTime (JobEvent/DatasetEvent: " +
    "same body) is stored once. A JSON array of events is applied in order, all or nothing.",
  tags: ["lineage"],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: { type: "object", description: "An OpenLineage event, or an array of events" },
        },
      },
    },
  },
  responses: {
    201: json(z.object({ events: z.array(EventResultSchema) }).openapi("LineageResult"), "Stored"),
    400: errorResponse("Not JSON, empty, bad eventTime"),
    401: ErrorResponses[401],
    413: errorResponse(
      "Too many events, a schema facet over the limits, or a body over the limit (after gunzip too)",
    ),
    415: errorResponse("Content-Encoding other than gzip"),
    422: errorResponse("Not an OpenLineage event, malformed facet"),
  },
});

const ModelParam = z.object({
  model: z
    .string()
    .min(1)
    .max(500)
    .openapi({ param: { name: "model", in: "path" }, example: "churn" }),
});
const ModelInputsBody = z.object({ inputs: z.array(ModelInputSchema).max(1000) }).openapi("ModelInputs");
const ModelInputsOut = z
  .object({
    model: z.string(),
    inputs: z
      .array(z.object({ dataset: z.string(), namespace: z.string(), fields: z.array(z.string()) }))
      .openapi({ description: "The union of every declaration: what impact follows" }),
    declarations: z
      .array(z.object({ declaredBy: z.string(), inputs: z.array(ModelInputSchema), updatedAt: z.string() }))
      .openapi({
        description:
          "Each declarer's part: `api` (this route), `monitor:<id>` (a monitor's `inputs`), `contract` (the model's data contract)",
      }),
  })
  .openapi("ModelInputsDeclared");

/** OpenLineage ingestion and model inputs. Mounted by schemaRoutes. */
export function lineageRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;
  const declarations = async (projectId: string, model: string) =>
    (await getModelDeclarations(db, projectId, model)).map((d) => ({
      ...d,
      updatedAt: d.updatedAt.toISOString(),
    }));

  // gzip: the OpenLineage HTTP transport's `compression: gzip`, limited once inflated too.
  const inflate = decompress({ limit: deps.config.VIGIL_BODY_LIMIT });
  app.openapi({ ...lineageRoute, middleware: inflate }, async (c) => {
    const text = await c.req.text();
    if (text.trim() === "") throw badRequest("Empty body: send an OpenLineage event (JSON)");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw notParseable(`Body is not valid JSON: ${(e as Error).message}`);
    }
    const events = Array.isArray(body) ? body : [body];
    if (events.length === 0) throw badRequest("Empty array: send at least one event");
    if (events.length > MAX_EVENTS_PER_REQUEST)
      throw badRequest(`At most ${MAX_EVENTS_PER_REQUEST} events per request`, { received: events.length });
    const results = await ingestLineageEvents(deps.database, c.get("project").id, events);
    return c.json({ events: results }, 201);
  });

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/models/{model}/inputs",
      summary: "Declare which dataset fields a model reads (replaces what this route declared before)",
      description:
        "Makes the model a lineage node: a breaking change to one of these fields lists the model in its " +
        "impact and incident. Monitors (`inputs`) and contracts declare a model's inputs too; the model " +
        "reads the union, and this route replaces only its own part (`[]` withdraws it).",
      tags: ["lineage"],
      request: {
        params: ModelParam,
        body: { required: true, content: { "application/json": { schema: ModelInputsBody } } },
      },
      responses: {
        200: json(ModelInputsOut, "Declared"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const { model } = c.req.valid("param");
      const projectId = c.get("project").id;
      await declareModelInputs(db, projectId, model, c.req.valid("json").inputs);
      const inputs = (await getModelInputs(db, projectId, model)) ?? [];
      return c.json({ model, inputs, declarations: await declarations(projectId, model) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/models/{model}/inputs",
      summary: "The dataset fields a model is declared to read (the union of every declarer's)",
      tags: ["lineage"],
      request: { params: ModelParam },
      responses: { 200: json(ModelInputsOut, "Inputs"), 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const { model } = c.req.valid("param");
      const projectId = c.get("project").id;
      const inputs = await getModelInputs(db, projectId, model);
      if (!inputs) throw notFound(`No inputs declared for model "${model}"`);
      return c.json({ model, inputs, declarations: await declarations(projectId, model) }, 200);
    },
  );

  return app;
}
