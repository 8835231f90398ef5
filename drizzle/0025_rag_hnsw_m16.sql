-- Rebuilds the built-in embedder's HNSW index with m = 16, ef_construction = 128 (was 24 / 200).
-- On bench:search's 50k chunks of near-duplicate runbook sections, recall@10 of the vector leg
-- stays above 0.95 (bench:hnsw: 0.973 at ef_search 400) while each insert — which every indexed
-- chunk pays, and which dominates indexing on the embedded database — costs about half as much.
-- Indexes of runtime embedders get the same parameters (src/rag/store.ts, HNSW_BUILD).
DROP INDEX IF EXISTS "chunk_embeddings_hnsw_builtin_hash_v1";
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "chunk_embeddings_hnsw_builtin_hash_v1" ON "chunk_embeddings"
  USING hnsw (("embedding"::vector(512)) vector_cosine_ops) WITH (m = 16, ef_construction = 128)
  WHERE "embedder" = 'builtin-hash-v1';
