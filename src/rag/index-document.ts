import type { Database } from "../db/client.ts";
import type { Embedder } from "./embedders/types.ts";
import type { DocumentInput } from "./model.ts";
import { embedderReady } from "./ready.ts";
import { prepareDocument, type UpsertStatus, upsertDocuments } from "./store.ts";

export interface IndexOutcome {
  id: string;
  status: UpsertStatus;
  chunks: number;
  /** False when the embedder failed: the document is stored and searchable by text; the embed job adds vectors. */
  embedded: boolean;
}

export type IndexInput = DocumentInput & { sourceUpdatedAt?: Date };

/**
 * Chunk, embed and store a batch of documents, (kind, path) unique within it (upsert by kind +
 * path; unchanged content is a no-op): one embedder call and one transaction for all of them, so
 * the batch is stored whole or not at all. Outcomes in input order.
 */
export async function indexDocuments(
  database: Database,
  embedder: Embedder,
  projectId: string,
  inputs: IndexInput[],
  onEmbedError?: (error: unknown) => void,
): Promise<IndexOutcome[]> {
  const items = inputs.map((input) => ({ input, prepared: prepareDocument(input) }));
  let embedded = true;
  const results = await upsertDocuments(database, projectId, items, async (texts) => {
    try {
      await embedderReady(database, embedder);
      return { embedder: embedder.id, vectors: await embedder.embed(texts, "document") };
    } catch (error) {
      embedded = false;
      onEmbedError?.(error);
      return undefined;
    }
  });
  return results.map((r) => ({ ...r, embedded: r.status === "unchanged" || embedded }));
}

/** One document: the batch of one. */
export async function indexDocument(
  database: Database,
  embedder: Embedder,
  projectId: string,
  input: IndexInput,
  onEmbedError?: (error: unknown) => void,
): Promise<IndexOutcome> {
  const [out] = await indexDocuments(database, embedder, projectId, [input], onEmbedError);
  return out!;
}
