import { createRoute, z } from "@hono/zod-openapi";
import type { Database } from "../db/client.ts";
import { type AppDeps, createRouter } from "../http/env.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { ErrorResponses } from "../http/openapi.ts";
import { Incident, IncidentEvent, IncidentKind, IncidentStatus, Severity } from "./model.ts";
import { decodeCursor, encodeCursor, getIncident, incidentTimeline, listIncidents } from "./store.ts";

/**
 * Adds kind-specific context to an incident's detail (e.g. sample spans for exceptions) without the
 * incidents capability importing the others: app.ts wires them in.
 */
export type IncidentEnricher = (database: Database, incident: Incident) => Promise<Record<string, unknown>>;

const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

export function incidentRoutes(
  deps: AppDeps,
  enrichers: Partial<Record<Incident["kind"], IncidentEnricher>> = {},
) {
  const app = createRouter();
  const { database } = deps;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/incidents",
      tags: ["incidents"],
      summary: "Incidents of every kind, most recently seen first",
      request: {
        query: z.object({
          kind: IncidentKind.optional(),
          status: IncidentStatus.optional(),
          severity: Severity.optional(),
          source: z.string().optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
      },
      responses: {
        200: {
          description: "A page of incidents",
          content: {
            "application/json": {
              schema: z.object({ incidents: z.array(Incident), nextCursor: z.string().nullable() }),
            },
          },
        },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (q.cursor && !cursor) throw badRequest("Invalid cursor");
      const rows = await listIncidents(database.db, c.get("project").id, {
        ...q,
        since: q.since ? new Date(q.since) : undefined,
        cursor,
      });
      const last = rows.at(-1);
      return c.json(
        { incidents: rows, nextCursor: rows.length === q.limit && last ? encodeCursor(last) : null },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/incidents/{id}",
      tags: ["incidents"],
      summary: "One incident with its timeline and kind-specific context",
      request: { params: IdParam },
      responses: {
        200: {
          description: "The incident",
          content: {
            "application/json": {
              schema: z.object({
                incident: Incident,
                events: z.array(IncidentEvent),
                context: z.record(z.string(), z.unknown()),
              }),
            },
          },
        },
        ...ErrorResponses,
      },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      const { id } = c.req.valid("param");
      const incident = await getIncident(database.db, projectId, id);
      if (!incident) throw notFound(`No incident ${id}`);
      const events = await incidentTimeline(database.db, projectId, id);
      const enrich = enrichers[incident.kind];
      const context = enrich ? await enrich(database, incident) : {};
      return c.json({ incident, events, context }, 200);
    },
  );

  return app;
}
