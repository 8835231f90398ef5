import { z } from "@hono/zod-openapi";
import { AlertmanagerAlert } from "./alertmanager.ts";
import { severityFrom } from "./severity.ts";
import {
  type AlertSignal,
  alertTitle,
  labelsFingerprint,
  parseEndsAt,
  parseStartsAt,
  pickLinks,
} from "./signal.ts";

/**
 * Grafana unified alerting's webhook contact point payload: Alertmanager's shape plus orgId,
 * per-alert silence/dashboard/panel/image URLs and values, and deprecated title/state/message.
 */
export const GrafanaPayload = z
  .looseObject({
    receiver: z.string().optional(),
    status: z.enum(["firing", "resolved"]),
    orgId: z.number().int().optional(),
    groupKey: z.string().optional(),
    truncatedAlerts: z.number().int().min(0).optional(),
    externalURL: z.string().optional(),
    title: z.string().optional(),
    alerts: z
      .array(
        AlertmanagerAlert.extend({
          silenceURL: z.string().optional(),
          dashboardURL: z.string().optional(),
          panelURL: z.string().optional(),
          imageURL: z.string().optional(),
          values: z.record(z.string(), z.number().nullable()).nullish(),
        }),
      )
      .max(10_000),
  })
  .openapi("GrafanaWebhook");
export type GrafanaPayload = z.infer<typeof GrafanaPayload>;

export function fromGrafana(payload: GrafanaPayload, now = new Date()): AlertSignal[] {
  return payload.alerts.map((alert) => ({
    // Grafana's fingerprint is per label set within an org: keep the org in the key.
    fingerprint: `grafana:${payload.orgId ?? 0}:${alert.fingerprint || labelsFingerprint(alert.labels)}`,
    status: alert.status,
    title: alertTitle(alert.labels, alert.annotations),
    severity: severityFrom(alert.labels.severity),
    source: "grafana",
    startsAt: parseStartsAt(alert.startsAt, now),
    endsAt: alert.status === "resolved" ? parseEndsAt(alert.endsAt) : undefined,
    labels: alert.labels,
    evidence: {
      alert: pickLinks({
        source: "grafana",
        fingerprint: alert.fingerprint,
        generatorURL: alert.generatorURL,
        silenceURL: alert.silenceURL,
        dashboardURL: alert.dashboardURL,
        panelURL: alert.panelURL,
        imageURL: alert.imageURL,
        runbookURL: alert.annotations.runbook_url,
      }),
    },
    sample: { ...alert, receiver: payload.receiver, groupKey: payload.groupKey, orgId: payload.orgId },
  }));
}
