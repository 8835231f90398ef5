import { createRoute, z } from "@hono/zod-openapi";
import { isUniqueViolation } from "../db/errors.ts";
import type { AppDeps } from "../deps.ts";
import { isoInstant } from "../http/bounded.ts";
import { createRouter } from "../http/env.ts";
import { ApiError, badRequest, conflict, notFound } from "../http/errors.ts";
import { CommonErrorResponses, ErrorResponses, errorResponse, json, jsonBody } from "../http/openapi.ts";
import { IdParam } from "../http/params.ts";
import { DELIVER_JOB } from "./jobs-names.ts";
import { Channel, ChannelInput, ChannelPatch, Delivery, deliveryStatuses, Rule, RuleInput } from "./model.ts";
import { probeChannel } from "./probe.ts";
import { newSecret } from "./sign.ts";
import { BlockedUrlError, checkWebhookUrl } from "./ssrf.ts";
import {
  deleteChannel,
  deleteRule,
  getChannel,
  getDelivery,
  insertChannel,
  insertRule,
  listChannels,
  listDeliveries,
  listRules,
  requeueDead,
  toChannel,
  toDelivery,
  toRule,
  updateChannel,
} from "./store.ts";

const Responses = {
  ...CommonErrorResponses,
  409: ErrorResponses[409],
  422: errorResponse("URL not allowed (SSRF policy) or unresolvable"),
};

/** Notification channels, routing rules and deliveries (with the dead letter) per project. */
export function notificationRoutes(deps: AppDeps) {
  const app = createRouter();
  const { database } = deps;
  const db = database.db;
  const allowPrivate = deps.config.VIGIL_ALLOW_PRIVATE_WEBHOOKS;

  async function checkUrl(url: string) {
    try {
      await checkWebhookUrl(url, allowPrivate);
    } catch (error) {
      if (error instanceof BlockedUrlError) {
        throw new ApiError(422, "url_not_allowed", `Webhook URL not allowed: ${error.message}`, {
          hint: "Outbound URLs must resolve to public addresses unless VIGIL_ALLOW_PRIVATE_WEBHOOKS=true",
        });
      }
      throw error;
    }
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/channels",
      tags: ["notifications"],
      summary: "Create a notification channel (Slack-compatible incoming webhook or signed generic webhook)",
      request: jsonBody(ChannelInput),
      responses: {
        201: json(
          Channel.extend({ secret: z.string().nullable() }),
          "The channel; `secret` is shown only here",
        ),
        ...Responses,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      await checkUrl(input.url);
      const secret = input.type === "webhook" ? (input.secret ?? newSecret()) : null;
      const row = await insertChannel(db, { ...input, secret, projectId: c.get("project").id });
      if (!row) throw conflict(`A channel named ${input.name} already exists`);
      return c.json({ ...toChannel(row), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/channels",
      tags: ["notifications"],
      summary: "Notification channels",
      responses: { 200: json(z.object({ channels: z.array(Channel) }), "Channels"), ...CommonErrorResponses },
    }),
    async (c) => c.json({ channels: (await listChannels(db, c.get("project").id)).map(toChannel) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/channels/{id}",
      tags: ["notifications"],
      summary: "One channel",
      request: { params: IdParam },
      responses: { 200: json(Channel, "The channel"), ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const row = await getChannel(db, c.get("project").id, id);
      if (!row) throw notFound(`No channel ${id}`);
      return c.json(toChannel(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/v1/channels/{id}",
      tags: ["notifications"],
      summary: "Change a channel (URL, enabled, retry and grouping settings)",
      request: { params: IdParam, ...jsonBody(ChannelPatch) },
      responses: { 200: json(Channel, "The channel"), ...Responses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      if (Object.keys(patch).length === 0) throw badRequest("Nothing to change");
      if (patch.url) await checkUrl(patch.url);
      const row = await updateChannel(db, c.get("project").id, id, patch).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw conflict(`A channel named ${patch.name} already exists`);
        throw error;
      });
      if (!row) throw notFound(`No channel ${id}`);
      return c.json(toChannel(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/channels/{id}",
      tags: ["notifications"],
      summary: "Delete a channel with its rules and deliveries",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await deleteChannel(db, c.get("project").id, id))) throw notFound(`No channel ${id}`);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/channels/{id}/test",
      tags: ["notifications"],
      summary: "Send a test message to the channel now and report what the receiver answered",
      request: { params: IdParam },
      responses: {
        200: json(
          z.object({
            ok: z.boolean(),
            status: z.number().int().nullable(),
            error: z.string().nullable(),
            ms: z.number(),
          }),
          "What happened (a failed send is reported here, not as an HTTP error)",
        ),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const channel = await getChannel(db, c.get("project").id, id);
      if (!channel) throw notFound(`No channel ${id}`);
      return c.json(await probeChannel(channel, deps.config), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/notification-rules",
      tags: ["notifications"],
      summary: "Route incidents to a channel by kind, minimum severity and event",
      request: jsonBody(RuleInput),
      responses: { 201: json(Rule, "The rule"), ...CommonErrorResponses },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const projectId = c.get("project").id;
      if (!(await getChannel(db, projectId, input.channelId)))
        throw notFound(`No channel ${input.channelId}`);
      const row = await insertRule(db, { ...input, kinds: [...new Set(input.kinds)], projectId });
      return c.json(toRule(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/notification-rules",
      tags: ["notifications"],
      summary: "Routing rules",
      responses: { 200: json(z.object({ rules: z.array(Rule) }), "Rules"), ...CommonErrorResponses },
    }),
    async (c) => c.json({ rules: (await listRules(db, c.get("project").id)).map(toRule) }, 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/notification-rules/{id}",
      tags: ["notifications"],
      summary: "Delete a routing rule",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await deleteRule(db, c.get("project").id, id))) throw notFound(`No rule ${id}`);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/deliveries",
      tags: ["notifications"],
      summary: "Notification deliveries, newest first; status=dead is the dead letter",
      request: {
        query: z.object({
          status: z.enum(deliveryStatuses).optional(),
          channelId: z.uuid().optional(),
          incidentId: z.uuid().optional(),
          before: isoInstant().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: {
        200: json(z.object({ deliveries: z.array(Delivery) }), "Deliveries"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listDeliveries(db, c.get("project").id, {
        ...q,
        before: q.before ? new Date(q.before) : undefined,
      });
      return c.json({ deliveries: rows.map(toDelivery) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/deliveries/{id}",
      tags: ["notifications"],
      summary: "One delivery, with the body it sends",
      request: { params: IdParam },
      responses: {
        200: json(Delivery.extend({ body: z.string().nullable() }), "The delivery"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const row = await getDelivery(db, c.get("project").id, id);
      if (!row) throw notFound(`No delivery ${id}`);
      return c.json({ ...toDelivery(row), body: row.body }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/deliveries/{id}/retry",
      tags: ["notifications"],
      summary: "Send a dead-lettered delivery again (fresh attempts)",
      request: { params: IdParam },
      responses: { 202: json(Delivery, "Queued"), ...Responses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const projectId = c.get("project").id;
      const row = await requeueDead(db, projectId, id);
      if (!row) {
        const existing = await getDelivery(db, projectId, id);
        if (!existing) throw notFound(`No delivery ${id}`);
        throw conflict(`Delivery is ${existing.status}; only dead deliveries can be retried`);
      }
      const channel = await getChannel(db, projectId, row.channelId);
      await deps.jobs.send(
        DELIVER_JOB,
        { deliveryId: row.id },
        { retryLimit: row.maxAttempts, retryDelay: channel?.retryDelaySeconds ?? 10, retryBackoff: true },
      );
      return c.json(toDelivery(row), 202);
    },
  );

  return app;
}
