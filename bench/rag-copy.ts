import type { Database } from "../src/db/client.ts";
import { copyIn } from "../src/db/copy.ts";
import { BinaryCopyWriter } from "../src/db/copy-binary.ts";
import { addEmbeddingRows, EMBEDDING_COLUMNS } from "../src/rag/store.ts";

/**
 * The raw-COPY baseline of document indexing: the chunk and embedding rows that indexing stored
 * (read back as they are) loaded by `COPY … FROM STDIN` into `chunks_copy` /
 * `chunk_embeddings_copy`, copies of the two tables with the same indexes (GIN on tsv, the HNSW
 * partial index, the btrees): chunks in text form (the tsvector as text), vectors in binary form,
 * as indexing sends them.
 */
const CHUNK_COLUMNS = ["id", "document_id", "project_id", "kind", "ord", "heading_path", "content", "tsv"];

const escapes: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const field = (v: unknown) => String(v).replace(/[\\\t\n\r]/g, (c) => escapes[c]!);

export interface CopyRows {
  chunks: string[];
  embeddings: Uint8Array;
  count: number;
}

/** COPY text of the chunks (and their vectors) of the documents whose path starts with `prefix`. */
export async function storedRows(database: Database, prefix: string): Promise<CopyRows> {
  const chunks = await database.execute<Record<string, unknown>>(
    `select c.id, c.document_id, c.project_id, c.kind, c.ord, c.heading_path::text as heading_path, c.content,
            c.tsv::text as tsv
     from chunks c join documents d on d.id = c.document_id
     where starts_with(d.path, '${prefix.replaceAll("'", "''")}') order by c.id`,
  );
  const embeddings = await database.execute<Record<string, unknown>>(
    `select e.chunk_id, e.embedder, e.project_id, e.kind, e.embedding::text as embedding
     from chunk_embeddings e join chunks c on c.id = e.chunk_id join documents d on d.id = c.document_id
     where starts_with(d.path, '${prefix.replaceAll("'", "''")}') order by e.chunk_id`,
  );
  const text = (rows: Record<string, unknown>[], columns: string[]) => {
    const out: string[] = [];
    for (let i = 0; i < rows.length; i += 1000)
      out.push(
        rows
          .slice(i, i + 1000)
          .map((r) => `${columns.map((c) => field(r[c])).join("\t")}\n`)
          .join(""),
      );
    return out;
  };
  const binary = (rows: Record<string, unknown>[]) => {
    const copy = new BinaryCopyWriter(rows.length * 2200);
    for (const r of rows)
      addEmbeddingRows(
        copy,
        String(r.embedder),
        String(r.project_id),
        String(r.kind),
        [Number(r.chunk_id)],
        [JSON.parse(String(r.embedding)) as number[]],
      );
    return copy.finish();
  };
  return {
    chunks: text(chunks, CHUNK_COLUMNS),
    embeddings: binary(embeddings),
    count: chunks.length,
  };
}

/** Creates the copies (same columns, defaults and indexes; no rows). */
export async function createCopyTables(database: Database): Promise<void> {
  await database.execute("create table if not exists chunks_copy (like chunks including all)");
  await database.execute(
    "create table if not exists chunk_embeddings_copy (like chunk_embeddings including all)",
  );
}

/** Seconds to COPY the rows into the copies, both tables in one transaction, as indexing commits. */
export async function timeCopy(database: Database, rows: CopyRows): Promise<number> {
  const t0 = performance.now();
  await database.db.transaction(async (tx) => {
    await copyIn(tx, "chunks_copy", CHUNK_COLUMNS, rows.chunks);
    await copyIn(tx, "chunk_embeddings_copy", EMBEDDING_COLUMNS, [rows.embeddings], { format: "binary" });
  });
  return (performance.now() - t0) / 1000;
}
