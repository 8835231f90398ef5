-- Rebuilds the built-in embedder's HNSW index with m = 24, ef_construction = 200 (pgvector's
-- defaults are 16 / 64). On 50k chunks of runbook text, which holds many near-duplicate sections,
-- the default graph gave recall@10 0.80 at ef_search 100 and 0.94 even at ef_search 800; this one
-- gives 0.96 at ef_search 400 (bench/README.md, bench:search). Index runtime embedders get the same
-- parameters (src/rag/store.ts, ensureVectorIndex).
DROP INDEX IF EXISTS "chunk_embeddings_hnsw_builtin_hash_v1";
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "chunk_embeddings_hnsw_builtin_hash_v1" ON "chunk_embeddings"
  USING hnsw (("embedding"::vector(512)) vector_cosine_ops) WITH (m = 24, ef_construction = 200)
  WHERE "embedder" = 'builtin-hash-v1';
