-- Embedders with vectors stored before rag_embedders existed: their grace period starts now.
INSERT INTO "rag_embedders" ("embedder", "last_used_at")
  SELECT DISTINCT "embedder", now() FROM "chunk_embeddings"
  ON CONFLICT ("embedder") DO NOTHING;
