import { type Severity, severities } from "../incidents/model.ts";

export interface RoutingRule {
  channelId: string;
  /** Empty: every kind. */
  kinds: string[];
  minSeverity: Severity;
  events: string[];
}

/** critical = 0 … info = 3: lower is worse. */
export const severityRank = (s: string) => {
  const i = severities.indexOf(s as Severity);
  return i < 0 ? severities.length : i;
};

/** The channels an incident event goes to: every rule that matches kind, severity and event. */
export function matchingChannels(
  rules: RoutingRule[],
  incident: { kind: string; severity: string },
  eventType: string,
): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (r.kinds.length > 0 && !r.kinds.includes(incident.kind)) continue;
    if (severityRank(incident.severity) > severityRank(r.minSeverity)) continue;
    if (!r.events.includes(eventType)) continue;
    out.add(r.channelId);
  }
  return [...out];
}

/**
 * When a new message about an incident may go out on a channel: now, unless the previous one was
 * scheduled less than a window ago — then at the window's end, and everything that happens until
 * then joins that one message. So a flapping alert sends at most one message per window.
 */
export function scheduleAt(now: Date, previous: Date | undefined, windowSeconds: number): Date {
  if (!previous) return now;
  const next = previous.getTime() + windowSeconds * 1000;
  return next > now.getTime() ? new Date(next) : now;
}

/**
 * Whether a failed attempt is worth retrying: network errors, timeouts, 408, 429 and 5xx are;
 * other statuses (4xx, a redirect we do not follow) will fail the same way again.
 */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 429 || status >= 500;
}
