import type { Severity } from "../incidents/model.ts";

/**
 * Alert senders spell severity many ways (Prometheus conventions, PagerDuty, OpsGenie priorities);
 * Vigil keeps four. Unknown values fall back rather than reject the alert.
 */
const ALIASES: Record<string, Severity> = {
  critical: "critical",
  crit: "critical",
  fatal: "critical",
  emergency: "critical",
  page: "critical",
  p1: "critical",
  sev1: "critical",
  high: "error",
  error: "error",
  err: "error",
  major: "error",
  p2: "error",
  sev2: "error",
  warning: "warning",
  warn: "warning",
  medium: "warning",
  minor: "warning",
  p3: "warning",
  sev3: "warning",
  info: "info",
  informational: "info",
  low: "info",
  none: "info",
  notice: "info",
  p4: "info",
  p5: "info",
  sev4: "info",
};

export function severityFrom(value: string | undefined, fallback: Severity = "warning"): Severity {
  if (!value) return fallback;
  return ALIASES[value.trim().toLowerCase()] ?? fallback;
}
