import { createRoute, z } from "@hono/zod-openapi";
import { isUniqueViolation } from "../../db/errors.ts";
import type { AppDeps } from "../../deps.ts";
import { createRouter } from "../../http/env.ts";
import { badRequest, conflict, notFound } from "../../http/errors.ts";
import { ErrorResponses, errorResponse, json } from "../../http/openapi.ts";
import { IdParam } from "../../http/params.ts";
import { announceDriftReport } from "./events.ts";
import { driftMetricsText } from "./metrics.ts";
import { Monitor, MonitorIn, Report } from "./model.ts";
import { runMonitor } from "./run.ts";
import {
  createMonitor,
  deleteMonitor,
  getMonitor,
  getReport,
  listMonitors,
  listReports,
  updateMonitor,
} from "./store.ts";

const body = { content: { "application/json": { schema: MonitorIn } }, required: true };

function checkMonitor(input: MonitorIn) {
  if (
    input.reference.kind === "range" &&
    Date.parse(input.reference.from) >= Date.parse(input.reference.to)
  ) {
    throw badRequest("reference.from must be before reference.to");
  }
  if (input.features) {
    const unknown = Object.keys(input.tests).filter(
      (k) => k !== "prediction" && !input.features!.includes(k),
    );
    if (unknown.length)
      throw badRequest(`tests name features the monitor does not watch: ${unknown.join(", ")}`);
  }
}

export function monitorRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/monitors",
      summary: "Create a drift monitor",
      description:
        "reference: a time range, a model version, or uploaded rows; current: the last N seconds or rows. " +
        "tests: per-feature test/threshold/type (defaults: the drift engine's, after Evidently). " +
        "retrainPolicy: a drifted report dispatches the team's GitHub Actions retraining workflow (see /api/v1/retraining). inputs: the dataset fields the features come from (model lineage: " +
        "a breaking change to them lists the model in the dataset's impact and schema incident).",
      tags: ["monitors"],
      request: { body },
      responses: {
        201: json(Monitor, "Created"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
        409: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), "Name taken"),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      checkMonitor(input);
      if (input.reference.kind === "rows" && !input.reference.rows)
        throw badRequest("reference.rows is required on create");
      const monitor = await createMonitor(db, c.get("project").id, input);
      if (!monitor) throw conflict(`A monitor named ${input.name} exists`);
      return c.json(monitor, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/monitors",
      summary: "Every monitor of the project",
      tags: ["monitors"],
      responses: {
        200: json(z.object({ monitors: z.array(Monitor) }), "Monitors"),
        401: ErrorResponses[401],
      },
    }),
    async (c) => c.json({ monitors: await listMonitors(db, c.get("project").id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/monitors/{id}",
      summary: "A monitor",
      tags: ["monitors"],
      request: { params: IdParam },
      responses: { 200: json(Monitor, "The monitor"), 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const m = await getMonitor(db, c.get("project").id, c.req.valid("param").id);
      if (!m) throw notFound("No such monitor");
      return c.json(m, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/monitors/{id}",
      summary: "Replace a monitor's definition (uploaded reference rows are kept unless sent again)",
      tags: ["monitors"],
      request: { params: IdParam, body },
      responses: {
        200: json(Monitor, "Replaced"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
        404: ErrorResponses[404],
        409: errorResponse("Another monitor has that name"),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      checkMonitor(input);
      const m = await updateMonitor(db, c.get("project").id, c.req.valid("param").id, input).catch(
        (error: unknown) => {
          if (isUniqueViolation(error)) throw conflict(`A monitor named ${input.name} exists`);
          throw error;
        },
      );
      if (!m) throw notFound("No such monitor");
      return c.json(m, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/monitors/{id}",
      summary: "Delete a monitor and its reports",
      tags: ["monitors"],
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      if (!(await deleteMonitor(db, c.get("project").id, c.req.valid("param").id)))
        throw notFound("No such monitor");
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/monitors/{id}/run",
      summary: "Run a monitor now; returns its drift report",
      tags: ["monitors"],
      request: { params: IdParam },
      responses: { 200: json(Report, "The report"), 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      const m = await getMonitor(db, projectId, c.req.valid("param").id);
      if (!m) throw notFound("No such monitor");
      const report = await runMonitor(db, projectId, m, "manual", new Date(), (event) =>
        announceDriftReport(deps, event),
      );
      return c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports",
      summary: "Drift reports, newest first",
      description: "Without the features' distributions: GET /api/v1/reports/{id} has them.",
      tags: ["monitors"],
      request: {
        query: z.object({
          monitorId: z.uuid().optional(),
          drifted: z.enum(["true", "false"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: {
        200: json(z.object({ reports: z.array(Report) }), "Reports"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const reports = await listReports(db, c.get("project").id, {
        monitorId: q.monitorId,
        drifted: q.drifted === undefined ? undefined : q.drifted === "true",
        limit: q.limit,
      });
      return c.json({ reports }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/reports/{id}",
      summary: "A drift report",
      description: "With each feature's reference and current distribution (`features[].distribution`).",
      tags: ["monitors"],
      request: { params: IdParam },
      responses: { 200: json(Report, "The report"), 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const r = await getReport(db, c.get("project").id, c.req.valid("param").id);
      if (!r) throw notFound("No such report");
      return c.json(r, 200);
    },
  );

  // Prometheus text, unauthenticated like /metrics (keep it off the public internet).
  app.get("/metrics/drift", async (c) => {
    const { contentType, text } = await driftMetricsText(db);
    return c.body(text, 200, { "content-type": contentType });
  });

  return app;
}
