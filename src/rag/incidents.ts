import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { incidentDocument, incidentsChangedSince } from "../incidents/documents.ts";
import type { Incident } from "../incidents/model.ts";
import { incidentProjectId } from "../incidents/read.ts";
import { isRelevant } from "./answer.ts";
import { BUILTIN_EMBEDDER_ID, BuiltinEmbedder } from "./embedders/builtin.ts";
import { embedderFor } from "./embedders/select.ts";
import type { Embedder } from "./embedders/types.ts";
import { indexDocument } from "./index-document.ts";
import { parseMarkdown } from "./markdown.ts";
import type { SearchResult } from "./model.ts";
import { ResultCache } from "./result-cache.ts";
import { hybridSearch } from "./search.ts";
import { getDocument, type StoredDocument, textQuery } from "./store.ts";
import { terms } from "./tokens.ts";

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
 * Answers are cached per incident text and version of the project's incident and runbook
 * documents (see ragIncidentContext): an incident page is opened again and again, the documents
 * change far less often.
 */
export function ragIncidentEnricher(config: Config) {
  const embedder = embedderFor(config);
  const cache = new ResultCache<IncidentContext>(CONTEXT_CACHE_ENTRIES, CONTEXT_CACHE_TTL_MS);
  return (database: Database, incident: Incident & { projectId: string }) =>
    ragIncidentContext(database, incident, embedder, cache);
}

/** Cached incident contexts per process, and how long one is trusted (see ResultCache). */
const CONTEXT_CACHE_ENTRIES = 500;
const CONTEXT_CACHE_TTL_MS = 5 * 60_000;

export type IncidentContext = {
  similar: SearchResult[];
  runbooks: SearchResult[];
};

/**
 * What an incident is searched by: its title, source and the values (not the keys: "annotations",
 * "description", "status" would match every runbook) of its sample and labels.
 */
export function incidentQuery(incident: Incident): string {
  const values = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string" || typeof v === "number") values.add(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk([incident.title, incident.source ?? "", incident.sample, incident.labels]);
  return [...values].join("\n").slice(0, 2000);
}

/**
 * With a cache, the answer is keyed by the incident's search text and the version of what it
 * searches: the count and latest update of the project's incident and runbook documents (an
 * upsert, a new document and a deletion each change it; vectors are written with their
 * document). What the version cannot see — vectors the embed job adds later for a document the
 * embedder failed on — the cache's TTL bounds.
 */
export async function ragIncidentContext(
  database: Database,
  incident: Incident & { projectId: string },
  embedder: Embedder = new BuiltinEmbedder(),
  cache?: ResultCache<IncidentContext>,
): Promise<IncidentContext> {
  const projectId = incident.projectId;
  const query = incidentQuery(incident);
  const [corpus] = await database.query<{ self: string | null; n: number | string; at: string | null }>(
    sql`select (select id from documents
                 where project_id = ${projectId} and kind = 'incident' and path = ${incidentPath(incident.id)}) as self,
               count(*) as n, max(updated_at)::text as at
          from documents where project_id = ${projectId} and kind in ('incident', 'runbook')`,
  );
  const key = createHash("sha256")
    .update(
      JSON.stringify([
        projectId,
        incident.id,
        embedder.id,
        query,
        corpus?.self,
        String(corpus?.n),
        corpus?.at,
      ]),
    )
    .digest("base64url");
  const cached = cache?.get(key);
  if (cached) return cached;
  // Both searches are of the same text: its tsquery is worked out once.
  const tsquery = await textQuery(database, query);
  const [similar, runbooks] = await Promise.all([
    hybridSearch(
      database,
      embedder,
      projectId,
      { query, k: 3, kinds: ["incident"] },
      { excludeDocumentIds: corpus?.self ? [corpus.self] : [], textQuery: tsquery },
    ),
    hybridSearch(database, embedder, projectId, { query, k: 3, kinds: ["runbook"] }, { textQuery: tsquery }),
  ]);
  const context = { similar, runbooks };
  cache?.set(key, context);
  return context;
}

/**
 * The best runbook for an alert or incident text, for notifications ("Runbook: <title> <path>").
 * Undefined when nothing relevant is indexed. With `about` (an alert's title), the runbook must
 * also share a word with it in its title or headings: a notification links one runbook, and a
 * match on incidental words of the alert body ("critical", the source's name) is not enough.
 */
export async function ragTopRunbook(
  database: Database,
  config: Config,
  projectId: string,
  text: string,
  about?: string,
): Promise<{ documentId: string; path: string; title: string; heading: string } | undefined> {
  const embedder = embedderFor(config);
  const [top] = await hybridSearch(database, embedder, projectId, { query: text, k: 1, kinds: ["runbook"] });
  const minCosine = embedder.id === BUILTIN_EMBEDDER_ID ? Number.POSITIVE_INFINITY : 0.5;
  if (!top || !isRelevant(top, minCosine)) return undefined;
  if (about !== undefined) {
    const named = new Set(terms([top.title, ...top.headingPath].join(" ")));
    if (!terms(about).some((t) => named.has(t))) return undefined;
  }
  return { documentId: top.documentId, path: top.path, title: top.title, heading: top.heading };
}

const isHttpUrl = (v: unknown): v is string => {
  if (typeof v !== "string") return false;
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/**
 * The link for a runbook: its own URL when it has one (document metadata `url`, else front matter
 * `url:`; http(s) only, so a document cannot smuggle a javascript: link into a message), otherwise
 * Vigil's API URL for the document under the public base URL.
 */
export function runbookUrl(
  doc: Pick<StoredDocument, "id" | "metadata" | "content">,
  publicUrl: string,
): string {
  const own = [doc.metadata.url, parseMarkdown(doc.content).frontMatter.url].find(isHttpUrl);
  // Slack's <url|title> link syntax ends the URL at "|".
  if (own) return new URL(own).href.replaceAll("|", "%7C");
  const base = publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`;
  return new URL(`api/v1/documents/${doc.id}`, base).href;
}

/**
 * The notifications' runbook hook: the incident's top runbook (as `ragTopRunbook` picks it) as
 * `{ title, url }`. Wired into notifications by the composition root (src/workers.ts).
 */
export function ragRunbookSuggester(database: Database, config: Config) {
  const publicUrl = config.VIGIL_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  return async (
    incident: Incident,
    projectId: string,
  ): Promise<{ title: string; url: string } | undefined> => {
    const top = await ragTopRunbook(database, config, projectId, incidentQuery(incident), incident.title);
    if (!top) return undefined;
    const doc = await getDocument(database, projectId, { id: top.documentId });
    return doc ? { title: doc.title, url: runbookUrl(doc, publicUrl) } : undefined;
  };
}
