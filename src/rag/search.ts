import type { Database } from "../db/client.ts";
import type { Embedder } from "./embedders/types.ts";
import { DEFAULT_RRF_K, DEFAULT_WEIGHTS, type Fused, fuse } from "./fusion.ts";
import type { SearchInput, SearchResult } from "./model.ts";
import type { LegFilter, LegRow } from "./store.ts";
import { chunkDetails, textLeg, vectorLeg } from "./store.ts";

export interface SearchOptions {
  /** Which legs run: both (default), or one alone (for evaluation). */
  legs?: "both" | "vector" | "text";
  rrfK?: number;
  weights?: { vector: number; text: number };
  excludeDocumentIds?: string[];
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
    const [q] = await embedder.embed([input.query], "query");
    return vectorLeg(
      database,
      projectId,
      { id: embedder.id, dims: await embedder.dimensions() },
      q!,
      n,
      filter,
    );
  };
  const runText = async (): Promise<LegRow[]> =>
    legs === "vector" ? [] : textLeg(database, projectId, input.query, n, filter);
  const [v, t] = await Promise.all([runVector(), runText()]);
  const fused = fuse(v, t, {
    k: options.rrfK ?? DEFAULT_RRF_K,
    weights: options.weights ?? DEFAULT_WEIGHTS,
    perDocument: input.perDocument,
  }).slice(0, k);
  return present(database, projectId, input.query, fused);
}

async function present(
  database: Database,
  projectId: string,
  query: string,
  fused: Fused[],
): Promise<SearchResult[]> {
  const details = await chunkDetails(
    database,
    projectId,
    fused.map((f) => f.chunkId),
    query,
  );
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
      snippet: d.snippet,
      score: +f.score.toFixed(6),
      legs: f.legs,
    });
  }
  return out;
}
