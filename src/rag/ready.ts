import type { Database } from "../db/client.ts";
import { BUILTIN_EMBEDDER_ID } from "./embedders/builtin.ts";
import type { Embedder } from "./embedders/types.ts";
import { ensureVectorIndex, noteEmbedderUse } from "./store.ts";

const ready = new WeakMap<Database, Map<string, Promise<void>>>();
const noted = new WeakMap<Database, Map<string, number>>();
/** How often a process records that it still uses its embedder (rag_embedders.last_used_at). */
const NOTE_EVERY_MS = 60 * 60 * 1000;

/**
 * Before an embedder's vectors are stored or searched: its HNSW index (the built-in embedder's
 * comes with the migrations; once per process, retried after a failure), and, at most hourly, a
 * note that this process uses it, so the embed job never prunes an embedder some process uses.
 */
export async function embedderReady(database: Database, embedder: Embedder): Promise<void> {
  await vectorIndexReady(database, embedder);
  let byId = noted.get(database);
  if (!byId) {
    byId = new Map();
    noted.set(database, byId);
  }
  const last = byId.get(embedder.id) ?? 0;
  if (Date.now() - last < NOTE_EVERY_MS) return;
  byId.set(embedder.id, Date.now());
  try {
    await noteEmbedderUse(database, embedder.id);
  } catch {
    // Bookkeeping must not fail a search or an ingest: tried again on the next use.
    byId.delete(embedder.id);
  }
}

function vectorIndexReady(database: Database, embedder: Embedder): Promise<void> {
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
