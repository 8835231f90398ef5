-- Custom migration: Drizzle cannot declare column storage. A queued batch is written once and read
-- once, by the same database minutes at most later: compressing its half-megabyte of JSON would
-- cost more CPU on the request path than the bytes it saves.
ALTER TABLE "span_batches" ALTER COLUMN "rows" SET STORAGE EXTERNAL;
