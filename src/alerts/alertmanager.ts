import { z } from "@hono/zod-openapi";
import { severityFrom } from "./severity.ts";
import {
  type AlertSignal,
  alertTitle,
  labelsFingerprint,
  parseEndsAt,
  parseStartsAt,
  pickLinks,
} from "./signal.ts";

const StringMap = z.record(z.string(), z.string());

/** One alert of Alertmanager's webhook (Grafana's contact point sends the same, plus a few URLs). */
export const AlertmanagerAlert = z.looseObject({
  status: z.enum(["firing", "resolved"]),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** Alertmanager's webhook payload, version 4 (prometheus/alertmanager notify/webhook). Unknown fields pass. */
export const AlertmanagerPayload = z
  .looseObject({
    version: z.string().optional(),
    groupKey: z.string().optional(),
    truncatedAlerts: z.number().int().min(0).optional(),
    status: z.enum(["firing", "resolved"]),
    receiver: z.string().optional(),
    groupLabels: StringMap.optional(),
    commonLabels: StringMap.optional(),
    commonAnnotations: StringMap.optional(),
    externalURL: z.string().optional(),
    alerts: z.array(AlertmanagerAlert).max(10_000),
  })
  .openapi("AlertmanagerWebhook");
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

export function fromAlertmanager(payload: AlertmanagerPayload, now = new Date()): AlertSignal[] {
  return payload.alerts.map((alert) => ({
    fingerprint: `alertmanager:${alert.fingerprint || labelsFingerprint(alert.labels)}`,
    status: alert.status,
    title: alertTitle(alert.labels, alert.annotations),
    severity: severityFrom(alert.labels.severity),
    source: "alertmanager",
    startsAt: parseStartsAt(alert.startsAt, now),
    endsAt: alert.status === "resolved" ? parseEndsAt(alert.endsAt) : undefined,
    labels: alert.labels,
    evidence: {
      alert: pickLinks({
        source: "alertmanager",
        fingerprint: alert.fingerprint,
        generatorURL: alert.generatorURL,
        runbookURL: alert.annotations.runbook_url,
        alertmanagerURL: payload.externalURL,
      }),
    },
    sample: { ...alert, receiver: payload.receiver, groupKey: payload.groupKey },
  }));
}
