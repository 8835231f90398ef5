import type { Database } from "../db/client.ts";
import { citationsFor, extractiveAnswer, groundedPrompt, isRelevant, NOT_FOUND } from "./answer.ts";
import { BUILTIN_EMBEDDER_ID } from "./embedders/builtin.ts";
import type { Embedder } from "./embedders/types.ts";
import type { Llm } from "./llm.ts";
import type { Citation, DocumentKind, SearchResult } from "./model.ts";
import { hybridSearch } from "./search.ts";
import { chunkDetails, textQuery } from "./store.ts";

export interface AskInput {
  question: string;
  kinds?: DocumentKind[];
  k?: number;
}

export interface Sources {
  results: SearchResult[];
  sources: { n: number; title: string; heading: string; content: string }[];
  citations: Citation[];
}

/** Retrieval for ask: several sections per document allowed (the best runbook's Diagnosis and Mitigation). */
export async function retrieveSources(
  database: Database,
  embedder: Embedder,
  projectId: string,
  input: AskInput,
): Promise<Sources> {
  // The search and the sources' text share the question's tsquery.
  const tsquery = await textQuery(database, input.question);
  const results = (
    await hybridSearch(
      database,
      embedder,
      projectId,
      { query: input.question, k: input.k ?? 5, kinds: input.kinds, perDocument: true },
      { textQuery: tsquery },
    )
  ).filter((r) => isRelevant(r, embedder.id === BUILTIN_EMBEDDER_ID ? Number.POSITIVE_INFINITY : 0.5));
  const details = await chunkDetails(
    database,
    projectId,
    results.map((r) => r.chunkId),
    tsquery,
  );
  const sources = results.map((r, i) => ({
    n: i + 1,
    title: r.title,
    heading: r.headingPath.join(" › ") || r.title,
    content: details.get(r.chunkId)?.content ?? "",
  }));
  return { results, sources, citations: citationsFor(results) };
}

/** Citations the answer actually uses ([n] markers); all of them when it marks none. */
export function usedCitations(answer: string, citations: Citation[]): Citation[] {
  const used = new Set([...answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
  if (!used.size) return answer.trim() === NOT_FOUND ? [] : citations;
  return citations.filter((c) => used.has(c.n));
}

export async function ask(
  database: Database,
  embedder: Embedder,
  llm: Llm | undefined,
  projectId: string,
  input: AskInput,
): Promise<{ answer: string; citations: Citation[]; mode: "extractive" | "generated" }> {
  const { sources, citations } = await retrieveSources(database, embedder, projectId, input);
  if (!sources.length) return { answer: NOT_FOUND, citations: [], mode: llm ? "generated" : "extractive" };
  if (!llm) {
    const { answer } = extractiveAnswer(input.question, sources);
    return { answer, citations: usedCitations(answer, citations), mode: "extractive" };
  }
  const answer = (await llm.complete(groundedPrompt(input.question, sources))).trim();
  return { answer, citations: usedCitations(answer, citations), mode: "generated" };
}
