/** The API's answers as the UI reads them (the fields it shows; see /openapi.json for the rest). */

import type { Distribution } from "../../drift/stats/index.ts";

export type Severity = "critical" | "error" | "warning" | "info";
export type IncidentKind = "exception" | "alert" | "drift" | "schema" | "validation";
export type IncidentStatus = "open" | "acknowledged" | "resolved";

export interface Incident {
  id: string;
  kind: IncidentKind;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  source: string | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  sample: Record<string, unknown>;
  latest: Record<string, unknown>;
  evidence: Record<string, unknown>;
  labels: Record<string, unknown>;
  resolvedAt: string | null;
}

export interface IncidentEvent {
  id: number;
  at: string;
  type: string;
  actor: string | null;
  message: string | null;
  data: Record<string, unknown>;
}

export interface ServiceStats {
  service: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** GET /api/v1/incidents/counts: one row per kind, severity and status. */
export interface IncidentCount {
  kind: IncidentKind;
  severity: Severity;
  status: IncidentStatus;
  count: number;
}

/** GET /api/v1/services/red: the window's ServiceStats, and each bucket's. */
export interface RedBucket {
  from: string;
  to: string;
  services: ServiceStats[];
}
export interface ServiceRed {
  from: string;
  to: string;
  services: ServiceStats[];
  buckets: RedBucket[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startTime: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface Monitor {
  id: string;
  name: string;
  model: string;
  features: string[];
  enabled: boolean;
  scheduleSeconds?: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  retrainPolicy?: { repo: string; workflow: string; enabled?: boolean };
}

export interface FeatureResult {
  name: string;
  type?: "numerical" | "categorical";
  test?: string;
  statistic?: number | null;
  pValue?: number | null;
  threshold?: number;
  drifted: boolean;
  referenceSize?: number;
  currentSize?: number;
  missing?: { reference: number; current: number };
  error?: { code: string; message: string };
  sampled?: boolean;
  /** On a single report (GET /api/v1/reports/{id}); absent from lists and from older reports. */
  distribution?: Distribution;
}

export interface Report {
  id: string;
  monitorId: string;
  createdAt: string;
  trigger: string;
  status: "ok" | "insufficient_data" | "error";
  drifted: boolean;
  share: number | null;
  reference: { from?: string | null; to?: string | null; rows?: number };
  current: { from?: string | null; to?: string | null; rows?: number };
  features: FeatureResult[];
  prediction: FeatureResult | null;
  performance: Record<string, unknown> | null;
  embeddings: Array<Record<string, unknown>> | null;
  error: string | null;
  durationMs: number | null;
}

export interface Dataset {
  namespace: string;
  name: string;
  version: number;
  fields: number | null;
  lastBreakingChangeAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SchemaChange {
  kind: string;
  path: string;
  from?: string;
  to?: string;
  breaking: boolean;
  reason?: string;
}

export interface DatasetVersion {
  version: number;
  previousVersion?: number;
  breaking: boolean;
  hash: string;
  source: string;
  createdAt: string;
  changes: SchemaChange[];
}

export interface RetrainingRun {
  id: string;
  monitorName: string;
  model: string;
  modelVersion: string | null;
  trigger: string;
  reason: string | null;
  status: string;
  skipReason?: string | null;
  message: string | null;
  conclusion: string | null;
  repo: string;
  workflow: string;
  ref: string;
  htmlUrl: string | null;
  createdAt: string;
  completedAt: string | null;
  result?: { modelVersion: string; artifactUrl: string | null } | null;
}
