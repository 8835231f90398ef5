import type { Database } from "../db/client.ts";
import type { Embedder } from "./embedders/types.ts";
import { DEFAULT_RRF_K, DEFAULT_WEIGHTS, type Fused, fuse } from "./fusion.ts";
import type { SearchInput, SearchResult } from "./model.ts";
import { embedderReady } from "./ready.ts";
import { highlight } from "./snippet.ts";
import type { LegFilter, LegRow } from "./store.ts";
import { type ChunkDetail, chunkDetails, type TextQuery, textLeg, textQuery, vectorLeg } from "./store.ts";
import { terms } from "./tokens.ts";

export interface SearchOptions {
  /** Which legs run: both (default), or one alone (for evaluation). */
  legs?: "both" | "vector" | "text";
  rrfK?: number;
  weights?: { vector: number; text: number };
  excludeDocumentIds?: string[];
  onVectorError?: (error: unknown) => void;
  /** The query's tsquery (textQuery), when the caller already has it: several searches of one text. */
  textQuery?: TextQuery;
}

/** Candidates each leg hands to fusion: deep enough that fusion can promote a document ranked low in one leg. */
const candidates = (k: number) => Math.max(50, k * 5);

/**
 * Hybrid search: the query's vector against the embedder's HNSW index, and its words against the
 * full-text index; fused by RRF; one result per document unless perDocument.
 */
export async function hybridSearch(
  database: Database,
  embedder: Embedder,
  projectId: string,
  input: SearchInput,
  options: SearchOptions = {},
): Promise<SearchResult[]> {
  const k = input.k ?? 10;
  const n = candidates(k);
  const filter: LegFilter = {
    kinds: input.kinds,
    filters: input.filters,
    excludeDocumentIds: options.excludeDocumentIds,
  };
  const legs = options.legs ?? "both";
  const runVector = async (): Promise<LegRow[]> => {
    if (legs === "text") return [];
    let q: number[] | undefined;
    try {
      await embedderReady(database, embedder);
      [q] = await embedder.embed([input.query], "query");
    } catch (error) {
      // A remote embedder that is down degrades search to the text leg instead of failing it.
      options.onVectorError?.(error);
      return [];
    }
    return vectorLeg(
      database,
      projectId,
      { id: embedder.id, dims: await embedder.dimensions() },
      q!,
      n,
      filter,
    );
  };
  // The text leg and the snippets share one tsquery, worked out while the vector leg runs.
  const tsquery = options.textQuery ? Promise.resolve(options.textQuery) : textQuery(database, input.query);
  const runText = async (): Promise<LegRow[]> => {
    const q = await tsquery; // awaited here either way: a failure is the search's, never unhandled
    return legs === "vector" ? [] : textLeg(database, projectId, q, n, filter);
  };
  const [v, t] = await Promise.all([runVector(), runText()]);
  const fusion = { k: options.rrfK ?? DEFAULT_RRF_K, weights: options.weights ?? DEFAULT_WEIGHTS };
  const byChunk = fuse(v, t, { ...fusion, perDocument: true });
  const at = { query: input.query, tsquery: await tsquery };
  if (input.perDocument) return present(database, projectId, at, byChunk.slice(0, k));
  const docs = fuse(v, t, fusion).slice(0, k);
  return present(database, projectId, at, docs, byChunk);
}

/**
 * The passage shown for a document: among its candidate chunks, the one whose own text (not the
 * title every chunk shares) has most of the query's words; fusion order breaks ties. Without this a
 * short section such as "Impact" wins on the title alone and shows nothing of what matched.
 */
function pickPassages(
  docs: Fused[],
  byChunk: Fused[],
  details: Map<number, ChunkDetail>,
  query: string,
): Fused[] {
  const q = new Set(terms(query));
  const overlap = (chunkId: number) => {
    const d = details.get(chunkId);
    if (!d) return -1;
    let n = 0;
    for (const t of new Set(terms(`${d.headingPath.slice(1).join(" ")} ${d.content}`))) if (q.has(t)) n++;
    return n;
  };
  return docs.map((doc) => {
    let best = doc;
    let bestOverlap = overlap(doc.chunkId);
    for (const c of byChunk) {
      if (c.documentId !== doc.documentId || c.chunkId === doc.chunkId) continue;
      const o = overlap(c.chunkId);
      if (o > bestOverlap) {
        best = { ...c, score: doc.score };
        bestOverlap = o;
      }
    }
    return best;
  });
}

async function present(
  database: Database,
  projectId: string,
  { query, tsquery }: { query: string; tsquery: TextQuery },
  top: Fused[],
  byChunk?: Fused[],
): Promise<SearchResult[]> {
  const docIds = new Set(top.map((f) => f.documentId));
  const candidates = byChunk ? byChunk.filter((c) => docIds.has(c.documentId)) : top;
  const details = await chunkDetails(
    database,
    projectId,
    [...new Set([...top, ...candidates].map((f) => f.chunkId))],
    tsquery,
  );
  const fused = byChunk ? pickPassages(top, candidates, details, query) : top;
  const out: SearchResult[] = [];
  for (const f of fused) {
    const d = details.get(f.chunkId);
    if (!d) continue; // deleted between the legs and now
    out.push({
      documentId: d.documentId,
      chunkId: d.chunkId,
      kind: d.kind,
      path: d.path,
      title: d.title,
      heading: d.headingPath.at(-1) ?? d.title,
      headingPath: d.headingPath,
      snippet: d.snippet.includes("<mark>")
        ? d.snippet
        : highlight(d.content, new Set(terms(query))) || d.snippet,
      score: +f.score.toFixed(6),
      legs: f.legs,
    });
  }
  return out;
}
