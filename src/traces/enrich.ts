import type { Database } from "../db/client.ts";
import type { Incident } from "../incidents/model.ts";
import { incidentTraceSpans } from "./store/queries.ts";
import { spanTree } from "./tree.ts";

/** How many spans of the trace an incident page shows. */
const SAMPLE_SPANS = 200;

/**
 * Context for an exception incident's detail page: the spans of the trace it was last seen in
 * (tree order), the span that raised it, and the first and latest stack traces.
 */
export async function exceptionIncidentContext(
  database: Database,
  incident: Incident,
): Promise<Record<string, unknown>> {
  const traceId = typeof incident.evidence.traceId === "string" ? incident.evidence.traceId : undefined;
  const spanId = typeof incident.evidence.spanId === "string" ? incident.evidence.spanId : undefined;
  const spans = traceId ? await incidentTraceSpans(database, incident.id, traceId, SAMPLE_SPANS) : [];
  const { ordered } = spanTree(spans);
  return {
    traceId: traceId ?? null,
    spanId: spanId ?? null,
    spans: ordered.map(({ startNs: _, ...s }) => s),
    stacktrace: incident.sample.stacktrace ?? null,
    latestStacktrace: incident.latest.stacktrace ?? null,
  };
}
