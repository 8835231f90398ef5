-- Custom migration: Drizzle cannot declare column compression or storage. A queued batch is
-- written once and read once: lz4 (where the server has it) compresses its half-megabyte of JSON
-- about fivefold at little CPU, so the request's insert writes a fifth of the TOAST chunks and WAL;
-- pglz would cost more CPU than it saves, so without lz4 the column is stored uncompressed.
DO $$ BEGIN
  ALTER TABLE "span_batches" ALTER COLUMN "rows" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  ALTER TABLE "span_batches" ALTER COLUMN "rows" SET STORAGE EXTERNAL;
END $$;
