import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { projectRef } from "./auth.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
/**
 * A pgvector column without a fixed dimension: each embedder has its own dimension and its own
 * partial HNSW index on `embedding::vector(d)` (see the rag_hnsw migration and src/rag/store.ts),
 * so vectors of different embedders live in one table but never meet in a query.
 */
const anyVector = customType<{ data: string }>({ dataType: () => "vector" });

/** A searchable document: a runbook, an incident, a log excerpt or any doc; upserted by path. */
export const documents = pgTable(
  "documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    /** runbook | incident | log | doc */
    kind: text("kind").notNull(),
    path: text("path").notNull(),
    title: text("title").notNull(),
    content: text("content").notNull(),
    /** sha256 of title + content + metadata: an unchanged upsert is a no-op. */
    contentHash: text("content_hash").notNull(),
    metadata: jsonb("metadata").notNull().default(sql`'{}'::jsonb`),
    /** For generated documents (incidents): the source row's updated_at when last indexed. */
    sourceUpdatedAt: timestamp("source_updated_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("documents_path_uq").on(t.projectId, t.kind, t.path),
    index("documents_project_updated_idx").on(t.projectId, t.updatedAt),
  ],
);

/** A heading-bounded piece of a document with its full-text vector. */
export const chunks = pgTable(
  "chunks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").notNull(),
    kind: text("kind").notNull(),
    ord: integer("ord").notNull(),
    /** Heading path from the top, e.g. ["KubePodCrashLooping", "Diagnosis"]. */
    headingPath: jsonb("heading_path").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    content: text("content").notNull(),
    /** Title (A), headings (B) and body (D), identifiers split into words: see src/rag/prepare.ts. */
    tsv: tsvector("tsv").notNull(),
  },
  (t) => [
    index("chunks_document_idx").on(t.documentId, t.ord),
    index("chunks_project_kind_idx").on(t.projectId, t.kind),
    index("chunks_tsv_idx").using("gin", t.tsv),
  ],
);

/** One embedding per chunk and embedder; changing embedder adds rows, never mixes them. */
export const chunkEmbeddings = pgTable(
  "chunk_embeddings",
  {
    chunkId: bigint("chunk_id", { mode: "number" })
      .notNull()
      .references(() => chunks.id, { onDelete: "cascade" }),
    embedder: text("embedder").notNull(),
    projectId: uuid("project_id").notNull(),
    kind: text("kind").notNull(),
    embedding: anyVector("embedding").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chunkId, t.embedder] }),
    index("chunk_embeddings_embedder_idx").on(t.embedder, t.projectId),
  ],
);

/**
 * Embedders whose vectors are stored, and when a Vigil process last used each (searching, indexing
 * or re-embedding; refreshed at most hourly per process). Vectors of an embedder no process has
 * used for VIGIL_EMBEDDINGS_KEEP_DAYS are deleted by rag.embed-missing (src/rag/jobs.ts).
 */
export const ragEmbedders = pgTable("rag_embedders", {
  embedder: text("embedder").primaryKey(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
});
