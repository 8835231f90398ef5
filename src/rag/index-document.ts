import type { Database } from "../db/client.ts";
import type { Embedder } from "./embedders/types.ts";
import type { DocumentInput } from "./model.ts";
import { embedderReady } from "./ready.ts";
import { prepareDocument, type UpsertStatus, upsertDocument } from "./store.ts";

export interface IndexOutcome {
  id: string;
  status: UpsertStatus;
  chunks: number;
  /** False when the embedder failed: the document is stored and searchable by text; the embed job adds vectors. */
  embedded: boolean;
}

/** Chunk, embed and store one document (upsert by kind + path; unchanged content is a no-op). */
export async function indexDocument(
  database: Database,
  embedder: Embedder,
  projectId: string,
  input: DocumentInput & { sourceUpdatedAt?: Date },
  onEmbedError?: (error: unknown) => void,
): Promise<IndexOutcome> {
  const prepared = prepareDocument(input);
  let embedded = true;
  const result = await upsertDocument(database, projectId, input, prepared, async (texts) => {
    try {
      await embedderReady(database, embedder);
      return { embedder: embedder.id, vectors: await embedder.embed(texts, "document") };
    } catch (error) {
      embedded = false;
      onEmbedError?.(error);
      return undefined;
    }
  });
  return { ...result, embedded: result.status === "unchanged" || embedded };
}
