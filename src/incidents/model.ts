import { z } from "@hono/zod-openapi";

export const incidentKinds = ["exception", "alert", "drift", "schema", "validation"] as const;
export const incidentStatuses = ["open", "acknowledged", "resolved"] as const;
export const severities = ["critical", "error", "warning", "info"] as const;

export const IncidentKind = z.enum(incidentKinds);
export const IncidentStatus = z.enum(incidentStatuses);
export const Severity = z.enum(severities);
export type Severity = z.infer<typeof Severity>;
export type IncidentKind = z.infer<typeof IncidentKind>;
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Incident = z
  .object({
    id: z.string(),
    kind: IncidentKind,
    fingerprint: z.string(),
    title: z.string(),
    status: IncidentStatus,
    severity: Severity,
    source: z.string().nullable(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    count: z.number().int(),
    sample: z.record(z.string(), z.unknown()),
    latest: z.record(z.string(), z.unknown()),
    evidence: z.record(z.string(), z.unknown()),
    labels: z.record(z.string(), z.unknown()),
    resolvedAt: z.string().nullable(),
  })
  .openapi("Incident");
export type Incident = z.infer<typeof Incident>;

export const IncidentEvent = z
  .object({
    id: z.number().int(),
    at: z.string(),
    type: z.string(),
    actor: z.string().nullable(),
    message: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("IncidentEvent");
export type IncidentEvent = z.infer<typeof IncidentEvent>;

/** What a capability reports when it finds a problem. */
export interface Occurrence {
  projectId: string;
  kind: (typeof incidentKinds)[number];
  /** Same fingerprint → same incident (per project and kind). */
  fingerprint: string;
  title: string;
  severity?: (typeof severities)[number];
  source?: string;
  /** When this occurrence was seen (last_seen); default now. */
  at?: Date;
  /**
   * When the problem began, if the reporter knows it started before `at` (an alert's startsAt):
   * first_seen and the "opened" event take it. Ignored when later than `at`.
   */
  firstSeen?: Date;
  /** The "reopened" event's message when this occurrence reopens a resolved incident. */
  reopenMessage?: string;
  /** How many occurrences this report stands for (e.g. an alert group). */
  count?: number;
  sample?: Record<string, unknown>;
  evidence?: Record<string, unknown>;
  labels?: Record<string, unknown>;
}
