import { createHash } from "node:crypto";
import type { Severity } from "../incidents/model.ts";

/** One alert from any source, normalised: what the incident model needs to open, bump or resolve. */
export interface AlertSignal {
  /** Source-prefixed key: same key → same incident. */
  fingerprint: string;
  status: "firing" | "resolved";
  title: string;
  severity: Severity;
  /** incidents.source: the sender ("alertmanager", "grafana") or the generic event's source. */
  source: string;
  /**
   * When the sender says the alert began firing (Alertmanager's and Grafana's startsAt, the generic
   * event's startsAt), when it is a sane time: the incident's first_seen, so MTTA/MTTR count from
   * when it fired, not from when Vigil heard of it.
   */
  startsAt?: Date;
  /** When it resolved (resolved alerts with a real endsAt); firing alerts use the receipt time. */
  endsAt?: Date;
  labels: Record<string, string>;
  /** Links to the evidence: generator/silence/dashboard/runbook URLs. */
  evidence: Record<string, unknown>;
  /** The alert as received, kept as the incident's sample. */
  sample: Record<string, unknown>;
}

/** Alertmanager's and Grafana's "not set" time. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** A real end time, or undefined for Alertmanager's zero time and unparseable values. */
export function parseEndsAt(value: string | undefined): Date | undefined {
  if (!value || value.startsWith("0001-01-01")) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
export { ZERO_TIME };

/** A sender's clock may run a little ahead of ours; further ahead than this is not believed. */
export const START_SKEW_MS = 5 * 60_000;

/**
 * The time an alert began, or undefined when it is unset (Alertmanager's zero time), unparseable,
 * before 1970, or later than `now` plus the allowed skew: then the receipt time stands in. Within
 * the skew it is clamped to `now`, so nothing begins after Vigil saw it.
 */
export function parseStartsAt(value: string | undefined, now: Date): Date | undefined {
  const d = parseEndsAt(value);
  if (!d || d.getTime() < 0 || d.getTime() > now.getTime() + START_SKEW_MS) return undefined;
  return d > now ? now : d;
}

/** Stable hash of a label set, for senders that omit a fingerprint (order-independent). */
export function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 16);
}

/** "alertname: summary", or whichever of the two exists. */
export function alertTitle(labels: Record<string, string>, annotations: Record<string, string>): string {
  const name = labels.alertname;
  const summary = annotations.summary ?? annotations.title;
  const title = name && summary ? `${name}: ${summary}` : (summary ?? name ?? "Alert");
  return title.slice(0, 500);
}

/** Non-empty link-like fields, for the incident's evidence. */
export function pickLinks(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}
