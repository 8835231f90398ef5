import { KINDS, SEVERITIES } from "./overview.ts";
import { type Filters, isCursor, isIsoDate, isName, pickFilters } from "./query.ts";
import type { Incident, IncidentEvent } from "./types.ts";

export const STATUSES = ["open", "acknowledged", "resolved"] as const;

/** The incident list's filters from its URL (kind, status, severity, source, since) and the cursor. */
export function incidentListQuery(query: Record<string, string | undefined>): {
  filters: Filters;
  cursor?: string;
} {
  const filters = pickFilters(query, {
    kind: KINDS,
    status: STATUSES,
    severity: SEVERITIES,
    source: isName,
    since: isIsoDate,
  });
  const cursor = query.cursor && isCursor(query.cursor) ? query.cursor : undefined;
  return { filters, cursor };
}

export interface SearchHit {
  documentId: string;
  path: string;
  title: string;
  heading?: string;
  snippet?: string;
  kind: string;
  score?: number;
}

export interface Evidence {
  traceId?: string;
  spanId?: string;
  stacktrace?: string;
  reportId?: string;
  monitorId?: string;
  dataset?: { namespace: string; name: string; version?: number; previousVersion?: number };
  schemaChanges: Array<{ kind: string; path: string; from?: string; to?: string; reason?: string }>;
  impacted: Array<{ kind: string; namespace: string; name: string; fields: string[] }>;
  /** An alert's payload as received (labels, annotations, times). */
  alert?: Record<string, unknown>;
  links: Array<{ href: string; text: string }>;
  retraining: Array<{ id: string; status: string; htmlUrl?: string | null; modelVersion?: string | null }>;
  spans: Array<{
    spanId: string;
    name: string;
    service: string;
    durationMs: number;
    depth: number;
    status?: { code: string };
  }>;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const isHttp = (v: unknown): v is string => typeof v === "string" && /^https?:\/\//i.test(v);

/** What an incident shows as evidence, by kind, from its sample, evidence and detail context. Pure. */
export function evidenceOf(incident: Incident, context: Record<string, unknown>): Evidence {
  const sample = obj(incident.sample);
  const ev = obj(incident.evidence);
  const out: Evidence = { schemaChanges: [], impacted: [], links: [], retraining: [], spans: [] };
  out.traceId = str(context.traceId) ?? str(sample.traceId) ?? str(ev.traceId);
  out.spanId = str(context.spanId) ?? str(sample.spanId);
  out.stacktrace = str(context.latestStacktrace) ?? str(context.stacktrace) ?? str(sample.stacktrace);
  out.reportId = str(ev.reportId);
  out.monitorId = str(ev.monitorId);
  for (const s of arr(context.spans)) {
    const span = obj(s);
    if (typeof span.spanId === "string") out.spans.push(span as unknown as Evidence["spans"][number]);
  }
  if (incident.kind === "schema") {
    const ds = obj(sample.dataset);
    if (typeof ds.name === "string") {
      out.dataset = {
        namespace: String(ds.namespace ?? ""),
        name: ds.name,
        version: typeof sample.version === "number" ? sample.version : undefined,
        previousVersion: typeof sample.previousVersion === "number" ? sample.previousVersion : undefined,
      };
    }
    for (const c of arr(sample.breakingChanges)) {
      const ch = obj(c);
      if (typeof ch.path === "string") {
        out.schemaChanges.push({
          kind: String(ch.kind ?? ""),
          path: ch.path,
          from: str(ch.from),
          to: str(ch.to),
          reason: str(ch.reason),
        });
      }
    }
    for (const n of arr(sample.impacted)) {
      const node = obj(n);
      if (typeof node.name === "string") {
        out.impacted.push({
          kind: String(node.kind ?? ""),
          namespace: String(node.namespace ?? ""),
          name: node.name,
          fields: arr(node.fields).map(String),
        });
      }
    }
  }
  if (incident.kind === "alert") {
    out.alert = sample;
    const alert = obj(ev.alert);
    for (const [key, value] of Object.entries(alert)) {
      if (isHttp(value)) out.links.push({ href: value, text: key });
    }
    for (const l of arr(alert.links)) {
      const link = obj(l);
      if (isHttp(link.href)) out.links.push({ href: link.href, text: str(link.text) ?? link.href });
    }
  }
  for (const l of arr(ev.links)) {
    const link = obj(l);
    if (isHttp(link.url ?? link.href)) {
      const href = String(link.url ?? link.href);
      out.links.push({ href, text: str(link.title) ?? str(link.text) ?? href });
    }
  }
  for (const r of arr(context.retraining)) {
    const run = obj(r);
    if (typeof run.id === "string") {
      out.retraining.push({
        id: run.id,
        status: String(run.status ?? ""),
        htmlUrl: isHttp(run.htmlUrl) ? run.htmlUrl : null,
        modelVersion: str(run.modelVersion) ?? null,
      });
    }
  }
  return out;
}

/** Similar past incidents (never the incident itself) and suggested runbooks from the detail context. */
export function relatedOf(
  incidentId: string,
  context: Record<string, unknown>,
): { similar: Array<SearchHit & { incidentId: string }>; runbooks: SearchHit[] } {
  const hits = (v: unknown) =>
    arr(v)
      .map(obj)
      .filter((h) => typeof h.path === "string") as unknown as SearchHit[];
  const similar = hits(context.similar)
    .map((h) => ({ ...h, incidentId: /^incidents\/(.+)$/.exec(h.path)?.[1] ?? "" }))
    .filter((h) => h.incidentId && h.incidentId !== incidentId);
  return { similar, runbooks: hits(context.runbooks) };
}

const EVENT_LABELS: Record<string, string> = {
  opened: "Opened",
  occurred: "Seen again",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  reopened: "Reopened",
  note: "Note",
  severity_changed: "Severity changed",
  linked: "Linked",
};

/** The timeline, oldest first, with a label per event type. */
export function timelineOf(events: IncidentEvent[]): Array<IncidentEvent & { label: string }> {
  return [...events]
    .sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id)
    .map((e) => ({ ...e, label: EVENT_LABELS[e.type] ?? e.type.replace(/_/g, " ") }));
}

/** Which status actions an incident offers in its state. */
export function actionsFor(status: Incident["status"]): Array<"acknowledge" | "resolve" | "reopen"> {
  if (status === "open") return ["acknowledge", "resolve"];
  if (status === "acknowledged") return ["resolve"];
  return ["reopen"];
}
