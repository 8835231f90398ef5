import type { AppDeps } from "../deps.ts";
import { embedderFor } from "./embedders/select.ts";
import { indexChangedIncidents } from "./incidents.ts";
import { chunkTexts } from "./prepare.ts";
import { embedderReady } from "./ready.ts";
import { chunksMissingEmbedding, pruneUnusedEmbeddings, saveEmbeddings } from "./store.ts";

export const RAG_EMBED_JOB = "rag.embed-missing";
export const RAG_INCIDENTS_JOB = "rag.index-incidents";

/**
 * Background work of the RAG capability:
 * - embed-missing: vectors for chunks the configured embedder has not embedded yet — after a change
 *   of embedder (re-embed), or when the embedder was down at ingest. Resumable: each batch commits,
 *   a retry picks up where the last one stopped. Other embedders' vectors are kept until no process
 *   has used that embedder for VIGIL_EMBEDDINGS_KEEP_DAYS (a switch back is then free), then deleted.
 * - index-incidents: incidents whose updated_at moved since they were last indexed become documents.
 */
export function defineRagJobs(deps: AppDeps): void {
  deps.jobs.define<Record<string, never>>({
    name: RAG_EMBED_JOB,
    cron: "*/5 * * * *",
    retryLimit: 5,
    retryDelaySeconds: 30,
    handler: async () => {
      await embedMissing(deps);
    },
  });
  deps.jobs.define<{ incidentId?: string }>({
    name: RAG_INCIDENTS_JOB,
    cron: "* * * * *",
    handler: async (data) => {
      await indexChangedIncidents(deps.database, embedderFor(deps.config), { incidentId: data?.incidentId });
    },
  });
}

export async function embedMissing(
  deps: Pick<AppDeps, "database" | "config" | "log">,
  batch = 64,
): Promise<number> {
  const embedder = embedderFor(deps.config);
  await embedderReady(deps.database, embedder);
  let total = 0;
  for (;;) {
    const rows = await chunksMissingEmbedding(deps.database, embedder.id, batch);
    if (!rows.length) break;
    const vectors = await embedder.embed(
      rows.map((r) => chunkTexts(r.title, r.headingPath, r.content).embedding),
      "document",
    );
    await saveEmbeddings(
      deps.database,
      embedder.id,
      rows.map((r, i) => ({ chunkId: r.id, projectId: r.projectId, kind: r.kind, vector: vectors[i]! })),
    );
    total += rows.length;
  }
  const pruned = await pruneUnusedEmbeddings(
    deps.database,
    embedder.id,
    deps.config.VIGIL_EMBEDDINGS_KEEP_DAYS,
  );
  if (total) deps.log.info({ embedder: embedder.id, embedded: total }, "embedded chunks");
  if (pruned.embedders.length)
    deps.log.info(
      { ...pruned, keepDays: deps.config.VIGIL_EMBEDDINGS_KEEP_DAYS },
      "deleted vectors of unused embedders",
    );
  return total;
}
