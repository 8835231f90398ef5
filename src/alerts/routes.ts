import { createHash, randomUUID } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppDeps } from "../deps.ts";
import { isoInstant } from "../http/bounded.ts";
import { type AppEnv, createRouter } from "../http/env.ts";
import { CommonErrorResponses, json, jsonBody } from "../http/openapi.ts";
import { announceIncidentChanges } from "../incidents/events.ts";
import { AlertmanagerPayload, fromAlertmanager } from "./alertmanager.ts";
import { fromGeneric, GenericAlert } from "./generic.ts";
import { fromGrafana, GrafanaPayload } from "./grafana.ts";
import type { AlertSignal } from "./signal.ts";
import { type AlertSource, ingestAlerts, listPayloads } from "./store.ts";

const IngestResponse = z
  .object({
    payloadId: z.string(),
    duplicate: z.boolean().openapi({
      description:
        "The same delivery was received before (for Alertmanager and Grafana: the identical body within VIGIL_ALERT_RETRY_WINDOW_SECONDS); nothing was applied again",
    }),
    results: z.array(
      z.object({
        fingerprint: z.string(),
        status: z.enum(["firing", "resolved"]),
        action: z.enum(["created", "reopened", "updated", "resolved", "not_open"]),
        incidentId: z.string().nullable(),
      }),
    ),
  })
  .openapi("AlertIngestResult");

const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  200: json(schema, description),
  ...CommonErrorResponses,
});

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * Alert webhooks in. Each payload is stored as received and applied in one transaction; 2xx means
 * committed. Alertmanager and Grafana retry a failed delivery with the identical body, so the body's
 * hash is their idempotency key, but only for VIGIL_ALERT_RETRY_WINDOW_SECONDS: their repeat
 * notification of a still-firing alert is the identical body too, and must count. Generic senders
 * can send an Idempotency-Key header (kept as long as the payload is).
 */
export function alertRoutes(deps: AppDeps) {
  const app = createRouter();

  const bodyKey = (body: string) => ({
    idempotencyKey: sha256(body),
    retryWindowSeconds: deps.config.VIGIL_ALERT_RETRY_WINDOW_SECONDS,
  });

  async function ingest(
    c: Context<AppEnv>,
    source: AlertSource,
    signals: AlertSignal[],
    key: { idempotencyKey: string; retryWindowSeconds?: number },
  ) {
    const result = await ingestAlerts(deps.database, {
      projectId: c.get("project").id,
      source,
      ...key,
      // The validator already read the body; Hono caches it, so this is the same text.
      body: await c.req.text(),
      userAgent: c.req.header("user-agent"),
      signals,
    });
    if (!result.duplicate && result.results.some((r) => r.action !== "updated" && r.action !== "not_open")) {
      await announceIncidentChanges(deps);
    }
    return result;
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alerts/alertmanager",
      tags: ["alerts"],
      summary: "Prometheus Alertmanager webhook (version 4)",
      description:
        "Point an unchanged `webhook_configs` entry here with `http_config.authorization.credentials` set to a Vigil API key. Firing alerts open or update an `alert` incident keyed by the alert fingerprint (first seen = the alert's `startsAt`); resolved alerts resolve it. An identical body within VIGIL_ALERT_RETRY_WINDOW_SECONDS is a retry (`duplicate: true`); after it, a repeat notification that bumps the count and reopens a resolved incident.",
      request: jsonBody(AlertmanagerPayload),
      responses: ok("Stored and applied", IngestResponse),
    }),
    async (c) => {
      const payload = c.req.valid("json");
      const body = await c.req.text();
      const result = await ingest(c, "alertmanager", fromAlertmanager(payload), bodyKey(body));
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alerts/grafana",
      tags: ["alerts"],
      summary: "Grafana unified alerting webhook contact point",
      request: jsonBody(GrafanaPayload),
      responses: ok("Stored and applied", IngestResponse),
    }),
    async (c) => {
      const payload = c.req.valid("json");
      const body = await c.req.text();
      const result = await ingest(c, "grafana", fromGrafana(payload), bodyKey(body));
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/alerts/generic",
      tags: ["alerts"],
      summary: "A generic alert event (PagerDuty Events v2-like dedup)",
      description:
        "Every firing event with the same `dedupKey` bumps one incident's count; `resolved` resolves it. Without a `dedupKey` one is derived from source, title and labels and returned. Send an `Idempotency-Key` header to make retries of the same event count once.",
      request: {
        ...jsonBody(GenericAlert),
        headers: z.object({ "idempotency-key": z.string().min(1).max(255).optional() }),
      },
      responses: ok(
        "Stored and applied",
        IngestResponse.extend({ dedupKey: z.string(), incidentId: z.string().nullable() }),
      ),
    }),
    async (c) => {
      const alert = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const signal = fromGeneric(alert);
      const result = await ingest(c, "generic", [signal], {
        idempotencyKey: key ? `key:${key}` : `once:${randomUUID()}`,
      });
      const dedupKey = signal.fingerprint.slice("generic:".length);
      return c.json({ ...result, dedupKey, incidentId: result.results[0]?.incidentId ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/alerts/payloads",
      tags: ["alerts"],
      summary: "Alert payloads as received, newest first, with what each did",
      request: {
        query: z.object({
          source: z.enum(["alertmanager", "grafana", "generic"]).optional(),
          before: isoInstant().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
      },
      responses: ok(
        "Payloads",
        z.object({
          payloads: z.array(
            z.object({
              id: z.string(),
              source: z.enum(["alertmanager", "grafana", "generic"]),
              receivedAt: z.string(),
              userAgent: z.string().nullable(),
              alertCount: z.number().int(),
              body: z.string().openapi({ description: "The request body byte for byte" }),
              results: IngestResponse.shape.results,
            }),
          ),
        }),
      ),
    }),
    async (c) => {
      const q = c.req.valid("query");
      const payloads = await listPayloads(deps.database.db, c.get("project").id, {
        ...q,
        before: q.before ? new Date(q.before) : undefined,
      });
      return c.json({ payloads }, 200);
    },
  );

  return app;
}
