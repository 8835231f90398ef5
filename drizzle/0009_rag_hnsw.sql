-- HNSW (cosine) index for the built-in embedder "builtin-hash-v1" (512 dimensions). The column is
-- an untyped vector so each embedder has its own dimension; a partial index on the cast expression
-- serves queries that filter on the same embedder and order by the same expression.
-- Indexes for configured external embedders are created at run time (src/rag/store.ts).
CREATE INDEX IF NOT EXISTS "chunk_embeddings_hnsw_builtin_hash_v1" ON "chunk_embeddings"
  USING hnsw (("embedding"::vector(512)) vector_cosine_ops)
  WHERE "embedder" = 'builtin-hash-v1';
