import { z } from "@hono/zod-openapi";
import { IncidentKind, Severity } from "../incidents/model.ts";

export const channelTypes = ["slack", "webhook"] as const;
export const notifyEvents = [
  "opened",
  "reopened",
  "resolved",
  "acknowledged",
  "severity_changed",
  "retraining_started",
  "retraining_succeeded",
  "retraining_failed",
] as const;
/** What a rule created without `events` sends: a retraining run of a drift incident is part of its story. */
export const defaultNotifyEvents: (typeof notifyEvents)[number][] = [
  "opened",
  "reopened",
  "resolved",
  "retraining_started",
  "retraining_succeeded",
  "retraining_failed",
];
export const deliveryStatuses = ["pending", "sending", "retrying", "sent", "dead"] as const;

const settings = {
  enabled: z.boolean().optional(),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(20)
    .optional()
    .openapi({ description: "Attempts before dead letter (default 6)" }),
  retryDelaySeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .openapi({ description: "First retry delay; doubles per retry, with jitter (default 10)" }),
  groupWindowSeconds: z.number().int().min(0).max(86_400).optional().openapi({
    description: "At most one message per incident per window; changes in between are grouped (default 300)",
  }),
};

export const ChannelInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    type: z.enum(channelTypes),
    url: z.string().max(2048),
    /** Webhook channels: the HMAC key (generated when absent). */
    secret: z.string().min(16).max(200).optional(),
    ...settings,
  })
  .openapi("ChannelInput");

export const ChannelPatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    url: z.string().max(2048).optional(),
    ...settings,
  })
  .openapi("ChannelPatch");

export const Channel = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(channelTypes),
    url: z.string(),
    hasSecret: z.boolean(),
    enabled: z.boolean(),
    maxAttempts: z.number().int(),
    retryDelaySeconds: z.number().int(),
    groupWindowSeconds: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Channel");
export type Channel = z.infer<typeof Channel>;

export const RuleInput = z
  .object({
    channelId: z.uuid(),
    kinds: z.array(IncidentKind).default([]).openapi({ description: "Empty: every kind" }),
    minSeverity: Severity.default("info"),
    events: z.array(z.enum(notifyEvents)).min(1).max(notifyEvents.length).default(defaultNotifyEvents),
    enabled: z.boolean().default(true),
  })
  .openapi("RuleInput");

export const Rule = z
  .object({
    id: z.string(),
    channelId: z.string(),
    kinds: z.array(z.string()),
    minSeverity: Severity,
    events: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("Rule");
export type Rule = z.infer<typeof Rule>;

export const DeliveryEvent = z.object({
  id: z.number().int(),
  type: z.string(),
  at: z.string(),
  actor: z.string().nullable(),
  message: z.string().nullable(),
});
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;

export const Delivery = z
  .object({
    id: z.string(),
    channelId: z.string(),
    incidentId: z.string(),
    status: z.enum(deliveryStatuses),
    events: z.array(DeliveryEvent),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    lastError: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    notBefore: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi("Delivery");
export type Delivery = z.infer<typeof Delivery>;

/** The optional hook for "notifications include the top runbook link" (RAG's, wired in src/workers.ts). */
export type SuggestRunbook = (
  incident: import("../incidents/model.ts").Incident,
  projectId: string,
) => Promise<{ title: string; url: string } | undefined>;
