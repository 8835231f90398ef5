import type { Database } from "../db/client.ts";
import { BUILTIN_EMBEDDER_ID } from "./embedders/builtin.ts";
import type { Embedder } from "./embedders/types.ts";
import { ensureVectorIndex } from "./store.ts";

const ready = new WeakMap<Database, Map<string, Promise<void>>>();

/**
 * Before an external embedder's first vector is stored or searched: its HNSW index (the built-in
 * embedder's comes with the migrations). Once per process and embedder; retried after a failure.
 */
export function embedderReady(database: Database, embedder: Embedder): Promise<void> {
  if (embedder.id === BUILTIN_EMBEDDER_ID) return Promise.resolve();
  let byId = ready.get(database);
  if (!byId) {
    byId = new Map();
    ready.set(database, byId);
  }
  let p = byId.get(embedder.id);
  if (!p) {
    p = embedder.dimensions().then((dims) => ensureVectorIndex(database, embedder.id, dims));
    p.catch(() => byId?.delete(embedder.id));
    byId.set(embedder.id, p);
  }
  return p;
}
