import { createHash } from "node:crypto";
import { z } from "@hono/zod-openapi";
import { isoInstant } from "../http/bounded.ts";
import { Severity } from "../incidents/model.ts";
import { type AlertSignal, parseStartsAt } from "./signal.ts";

/**
 * A generic alert event, PagerDuty Events v2-like: events with the same dedupKey are the same
 * incident; "resolved" resolves it. Without a dedupKey one is derived from source + title + labels
 * (PagerDuty would make a new one per event; deriving it keeps a repeating alert to one incident).
 */
export const GenericAlert = z
  .object({
    title: z.string().trim().min(1).max(500),
    severity: Severity,
    source: z.string().trim().min(1).max(200),
    status: z.enum(["firing", "resolved"]),
    dedupKey: z.string().min(1).max(255).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    description: z.string().max(20_000).optional(),
    /** Evidence links, e.g. a dashboard or a runbook. */
    links: z
      .array(z.object({ href: z.url(), text: z.string().max(200).optional() }))
      .max(20)
      .optional(),
    startsAt: isoInstant().optional().openapi({
      description:
        "When the alert began firing, if before this event: the incident's first seen (ignored when more than 5 minutes in the future)",
    }),
    timestamp: isoInstant().optional(),
  })
  .openapi("GenericAlert");
export type GenericAlert = z.infer<typeof GenericAlert>;

export function genericDedupKey(alert: GenericAlert): string {
  if (alert.dedupKey) return alert.dedupKey;
  const labels = Object.entries(alert.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash("sha256")
    .update(JSON.stringify([alert.source, alert.title, labels]))
    .digest("hex")
    .slice(0, 32);
}

export function fromGeneric(alert: GenericAlert, now = new Date()): AlertSignal {
  const dedupKey = genericDedupKey(alert);
  return {
    fingerprint: `generic:${dedupKey}`,
    status: alert.status,
    title: alert.title,
    severity: alert.severity,
    source: alert.source,
    startsAt: parseStartsAt(alert.startsAt, now),
    endsAt: alert.status === "resolved" && alert.timestamp ? new Date(alert.timestamp) : undefined,
    labels: alert.labels ?? {},
    evidence: { alert: { source: "generic", dedupKey, links: alert.links ?? [] } },
    sample: { ...alert, dedupKey },
  };
}
