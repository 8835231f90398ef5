import { sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { incidentDocument, incidentsChangedSince } from "../incidents/documents.ts";
import type { Incident } from "../incidents/model.ts";
import { incidentProjectId } from "../incidents/store.ts";
import { isRelevant } from "./answer.ts";
import { BUILTIN_EMBEDDER_ID, BuiltinEmbedder } from "./embedders/builtin.ts";
import { embedderFor } from "./embedders/select.ts";
import type { Embedder } from "./embedders/types.ts";
import { indexDocument } from "./index-document.ts";
import type { SearchResult } from "./model.ts";
import { hybridSearch } from "./search.ts";

export const incidentPath = (id: string) => `incidents/${id}`;

/** Indexes one incident as a document of kind "incident" (unchanged content costs a hash). */
export async function indexIncident(database: Database, embedder: Embedder, projectId: string, id: string) {
  const doc = await incidentDocument(database.db, projectId, id);
  if (!doc) return undefined;
  return indexDocument(database, embedder, projectId, {
    kind: "incident",
    path: incidentPath(id),
    title: doc.title,
    content: doc.markdown,
    metadata: {
      incidentId: id,
      incidentKind: doc.kind,
      status: doc.status,
      severity: doc.severity,
      source: doc.source,
    },
    sourceUpdatedAt: doc.version,
  });
}

/**
 * Re-indexes incidents changed since the newest one already indexed (a watermark kept in the
 * documents themselves, so nothing else needs storing). Ties at the watermark are re-read and
 * cost only a hash comparison.
 */
export async function indexChangedIncidents(
  database: Database,
  embedder: Embedder,
  options: { incidentId?: string; batch?: number } = {},
): Promise<number> {
  if (options.incidentId) {
    const projectId = await incidentProjectId(database.db, options.incidentId);
    if (projectId) await indexIncident(database, embedder, projectId, options.incidentId);
    return projectId ? 1 : 0;
  }
  const batch = options.batch ?? 200;
  let indexed = 0;
  for (let round = 0; round < 50; round++) {
    const [w] = await database.query<{ mark: string | null }>(
      sql`select max(source_updated_at) as mark from documents where kind = 'incident'`,
    );
    const since = w?.mark ? new Date(w.mark) : undefined;
    const changed = await incidentsChangedSince(database.db, since, batch);
    let progressed = false;
    for (const c of changed) {
      const out = await indexIncident(database, embedder, c.projectId, c.id);
      if (out && out.status !== "unchanged") {
        indexed++;
        progressed = true;
      }
    }
    if (changed.length < batch || !progressed) break;
  }
  return indexed;
}

/**
 * The enricher for an incident's detail: its 3 most similar past incidents and 3 suggested
 * runbooks, by hybrid search on the incident's own text. Wire into incidentRoutes' enrichers.
 */
export function ragIncidentEnricher(config: Config) {
  const embedder = embedderFor(config);
  return (database: Database, incident: Incident & { projectId: string }) =>
    ragIncidentContext(database, incident, embedder);
}

export async function ragIncidentContext(
  database: Database,
  incident: Incident & { projectId: string },
  embedder: Embedder = new BuiltinEmbedder(),
): Promise<{ similar: SearchResult[]; runbooks: SearchResult[] }> {
  const projectId = incident.projectId;
  const sample = JSON.stringify({ ...incident.sample, labels: incident.labels }).slice(0, 2000);
  const query = `${incident.title}\n${incident.source ?? ""}\n${sample}`;
  const self = await database.query<{ id: string }>(
    sql`select id from documents where project_id = ${projectId} and kind = 'incident' and path = ${incidentPath(incident.id)}`,
  );
  const [similar, runbooks] = await Promise.all([
    hybridSearch(
      database,
      embedder,
      projectId,
      { query, k: 3, kinds: ["incident"] },
      { excludeDocumentIds: self.map((s) => s.id) },
    ),
    hybridSearch(database, embedder, projectId, { query, k: 3, kinds: ["runbook"] }),
  ]);
  return { similar, runbooks };
}

/**
 * The best runbook for an alert or incident text, for notifications ("Runbook: <title> <path>").
 * Undefined when nothing relevant is indexed.
 */
export async function ragTopRunbook(
  database: Database,
  config: Config,
  projectId: string,
  text: string,
): Promise<{ documentId: string; path: string; title: string; heading: string } | undefined> {
  const embedder = embedderFor(config);
  const [top] = await hybridSearch(database, embedder, projectId, { query: text, k: 1, kinds: ["runbook"] });
  const minCosine = embedder.id === BUILTIN_EMBEDDER_ID ? Number.POSITIVE_INFINITY : 0.5;
  if (!top || !isRelevant(top, minCosine)) return undefined;
  return { documentId: top.documentId, path: top.path, title: top.title, heading: top.heading };
}
