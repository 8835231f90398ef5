import { createRoute, z } from "@hono/zod-openapi";
import type { Database } from "../db/client.ts";
import type { AppDeps } from "../deps.ts";
import { isoInstant } from "../http/bounded.ts";
import { createRouter } from "../http/env.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { CommonErrorResponses, errorResponse } from "../http/openapi.ts";
import { IdParam } from "../http/params.ts";
import { addLink, addNote, changeStatus, setSeverity } from "./actions.ts";
import { announceIncidentChanges } from "./events.ts";
import { Incident, IncidentEvent, IncidentKind, IncidentStatus, Severity } from "./model.ts";
import {
  countIncidents,
  decodeCursor,
  encodeCursor,
  getIncident,
  incidentTimeline,
  listIncidents,
} from "./store.ts";

/**
 * Adds kind-specific context to an incident's detail (e.g. sample spans for exceptions) without the
 * incidents capability importing the others: app.ts wires them in.
 */
export type IncidentEnricher = (
  database: Database,
  incident: Incident & { projectId: string },
) => Promise<Record<string, unknown>>;

/** Per incident kind, plus `all` for context every incident gets (e.g. similar incidents, runbooks). */
export type IncidentEnrichers = Partial<Record<Incident["kind"] | "all", IncidentEnricher>>;

export function incidentRoutes(deps: AppDeps, enrichers: IncidentEnrichers = {}) {
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
          since: isoInstant().optional(),
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
        ...CommonErrorResponses,
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
      path: "/api/v1/incidents/counts",
      tags: ["incidents"],
      summary: "How many incidents there are per kind, severity and status (no cap, unlike a page)",
      request: {
        query: z.object({
          status: z
            .string()
            .optional()
            .transform((v, ctx) => {
              const list = v ? [...new Set(v.split(","))] : [];
              for (const s of list) {
                if (!IncidentStatus.safeParse(s).success) {
                  ctx.addIssue({ code: "custom", message: `unknown status ${JSON.stringify(s)}` });
                  return z.NEVER;
                }
              }
              return list;
            })
            .openapi({
              type: "string",
              description: "Comma-separated statuses to count (default: all), e.g. open,acknowledged",
            }),
        }),
      },
      responses: {
        200: {
          description: "One row per kind, severity and status that has incidents",
          content: {
            "application/json": {
              schema: z.object({
                counts: z.array(
                  z.object({
                    kind: IncidentKind,
                    severity: Severity,
                    status: IncidentStatus,
                    count: z.number().int(),
                  }),
                ),
              }),
            },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { status } = c.req.valid("query");
      const counts = await countIncidents(database.db, c.get("project").id, status);
      return c.json(
        {
          counts: counts.map((r) => ({
            ...r,
            kind: r.kind as IncidentKind,
            severity: r.severity as Severity,
            status: r.status as IncidentStatus,
          })),
        },
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
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      const { id } = c.req.valid("param");
      const incident = await getIncident(database.db, projectId, id);
      if (!incident) throw notFound(`No incident ${id}`);
      const events = await incidentTimeline(database.db, projectId, id);
      const withProject = { ...incident, projectId };
      const [general, specific] = await Promise.all(
        [enrichers.all, enrichers[incident.kind]].map((enrich) => enrich?.(database, withProject) ?? {}),
      );
      const context = { ...general, ...specific };
      return c.json({ incident, events, context }, 200);
    },
  );

  registerActionRoutes(app, deps);
  return app;
}

const ActionBody = z
  .object({
    actor: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Who did it (default: the API key)" }),
    message: z.string().max(5000).optional(),
    note: z
      .string()
      .trim()
      .min(1)
      .max(20_000)
      .optional()
      .openapi({ description: "Stored as a separate `note` event, e.g. what fixed it" }),
  })
  .openapi("IncidentAction");

const NoteBody = z
  .object({ text: z.string().trim().min(1).max(20_000), actor: z.string().trim().min(1).max(200).optional() })
  .openapi("IncidentNote");

const PatchBody = z
  .object({
    severity: Severity,
    actor: z.string().trim().min(1).max(200).optional(),
    message: z.string().max(5000).optional(),
  })
  .openapi("IncidentPatch");

const LinkBody = z
  .object({
    kind: z.enum(["trace", "drift_report", "schema_change", "alert", "url"]),
    ref: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .openapi({ description: "Trace id, report id, change id, alert fingerprint or URL" }),
    url: z.url().optional(),
    title: z.string().max(300).optional(),
    actor: z.string().trim().min(1).max(200).optional(),
  })
  .openapi("IncidentLink");

const incidentOk = (description: string) => ({
  200: {
    description,
    content: { "application/json": { schema: z.object({ incident: Incident, changed: z.boolean() }) } },
  },
  ...CommonErrorResponses,
  409: errorResponse("Not allowed from the current status"),
});

/** Status changes, notes, severity and evidence links: each leaves a timeline event. */
function registerActionRoutes(app: ReturnType<typeof createRouter>, deps: AppDeps) {
  const { database } = deps;
  const actorOf = (c: { get(key: "apiKeyId"): string }, given?: string) =>
    given ?? `api-key:${c.get("apiKeyId")}`;

  for (const action of ["acknowledge", "resolve", "reopen"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/api/v1/incidents/{id}/${action}`,
        tags: ["incidents"],
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} an incident`,
        description: "Repeating the action is a no-op (`changed: false`).",
        request: {
          params: IdParam,
          body: { content: { "application/json": { schema: ActionBody } }, required: false },
        },
        responses: incidentOk("The incident after the change"),
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const body = c.req.valid("json") ?? {};
        const result = await changeStatus(database, c.get("project").id, id, action, {
          actor: actorOf(c, body.actor),
          message: body.message,
          note: body.note,
        });
        if (!result) throw notFound(`No incident ${id}`);
        if (result.changed) await announceIncidentChanges(deps);
        return c.json(result, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/v1/incidents/{id}",
      tags: ["incidents"],
      summary: "Change an incident's severity",
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: PatchBody } }, required: true },
      },
      responses: incidentOk("The incident after the change"),
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const result = await setSeverity(database, c.get("project").id, id, body.severity, {
        actor: actorOf(c, body.actor),
        message: body.message,
      });
      if (!result) throw notFound(`No incident ${id}`);
      if (result.changed) await announceIncidentChanges(deps);
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/incidents/{id}/notes",
      tags: ["incidents"],
      summary: "Add a note (e.g. what fixed it) to the timeline",
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: NoteBody } }, required: true },
      },
      responses: {
        201: {
          description: "Noted",
          content: { "application/json": { schema: z.object({ incident: Incident }) } },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const incident = await addNote(database, c.get("project").id, id, {
        actor: actorOf(c, body.actor),
        text: body.text,
      });
      if (!incident) throw notFound(`No incident ${id}`);
      return c.json({ incident }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/incidents/{id}/links",
      tags: ["incidents"],
      summary: "Link evidence (trace, drift report, schema change, alert, URL) to an incident",
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: LinkBody } }, required: true },
      },
      responses: {
        201: {
          description: "Linked",
          content: { "application/json": { schema: z.object({ incident: Incident }) } },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { actor, ...link } = c.req.valid("json");
      const incident = await addLink(database, c.get("project").id, id, link, actorOf(c, actor));
      if (!incident) throw notFound(`No incident ${id}`);
      return c.json({ incident }, 201);
    },
  );
}
