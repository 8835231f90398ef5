import { createHash } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { copyIn } from "../db/copy.ts";
import { BinaryCopyWriter } from "../db/copy-binary.ts";
import { rowsOf } from "../db/rows.ts";
import { canonicalJsonIndexKeysFirst } from "../lib/canonical-json.ts";
import { chunkMarkdown, parseMarkdown } from "./markdown.ts";
import type { DocumentInput, DocumentKind, SearchFilters } from "./model.ts";
import { chunkTexts, queryText } from "./prepare.ts";
import { MARK_END, MARK_START, markedToHtml } from "./snippet.ts";

/** Every query of the RAG capability. Raw SQL where pgvector and full text need it. */

type Row = Record<string, unknown>;
/**
 * A vector's text form, 7 significant digits a component (what float4 keeps of a typical
 * component); zeros, most of a hashed vector's components, written without formatting.
 */
export function vectorLiteral(v: ArrayLike<number>): string {
  let s = "[";
  for (let i = 0; i < v.length; i++) {
    const x = +v[i]!;
    s += `${i ? "," : ""}${x === 0 ? "0" : +x.toPrecision(7)}`;
  }
  return `${s}]`;
}

/** Embedder ids are inlined into SQL (so the planner matches the partial HNSW index): keep them tame. */
export function safeEmbedderId(id: string): string {
  if (!/^[A-Za-z0-9:._@/+-]{1,200}$/.test(id))
    throw new Error(`unsupported embedder id ${JSON.stringify(id)}`);
  return id;
}

export const EMBEDDING_COLUMNS = ["chunk_id", "embedder", "project_id", "kind", "embedding"] as const;

/**
 * Appends the binary COPY rows (EMBEDDING_COLUMNS) of one document's vectors, one per chunk id in
 * the same order. Binary, not text: a vector's text form cost more to write here and to parse on
 * the server (strtof per component, slow in PGlite's WebAssembly) than the row's HNSW insert.
 */
export function addEmbeddingRows(
  copy: BinaryCopyWriter,
  embedder: string,
  projectId: string,
  kind: string,
  chunkIds: readonly number[],
  vectors: readonly ArrayLike<number>[],
): void {
  if (vectors.length !== chunkIds.length)
    throw new Error(`embedder returned ${vectors.length} vectors for ${chunkIds.length} chunks`);
  for (let i = 0; i < chunkIds.length; i++)
    copy.row(5).int8(chunkIds[i]!).text(embedder).uuid(projectId).text(kind).vector(vectors[i]!);
}

export function contentHash(kind: string, title: string, content: string, metadata: unknown): string {
  return createHash("sha256")
    .update(canonicalJsonIndexKeysFirst([kind, title, content, metadata ?? {}]))
    .digest("hex");
}

export interface PreparedChunk {
  ord: number;
  headingPath: string[];
  content: string;
  texts: ReturnType<typeof chunkTexts>;
}

/** Title resolution and chunking of one input document (pure). */
export function prepareDocument(input: DocumentInput): { title: string; chunks: PreparedChunk[] } {
  const parsed = parseMarkdown(input.content);
  const title = input.title ?? parsed.title ?? input.path.split("/").at(-1)!.replace(/\.md$/i, "");
  const chunks = chunkMarkdown(parsed.body).map((c) => ({
    ...c,
    texts: chunkTexts(title, c.headingPath, c.content),
  }));
  if (!chunks.length) chunks.push({ ord: 0, headingPath: [], content: "", texts: chunkTexts(title, [], "") });
  return { title, chunks };
}

export interface StoredDocument {
  id: string;
  kind: DocumentKind;
  path: string;
  title: string;
  content: string;
  contentHash: string;
  metadata: Record<string, unknown>;
  chunks: number;
  createdAt: string;
  updatedAt: string;
}

const documentColumns = sql.raw(
  `d.id, d.kind, d.path, d.title, d.content, d.content_hash, d.metadata, d.created_at, d.updated_at,
   (select count(*)::int from chunks c where c.document_id = d.id) as chunks`,
);
function toDocument(r: Row): StoredDocument {
  const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();
  return {
    id: String(r.id),
    kind: r.kind as DocumentKind,
    path: String(r.path),
    title: String(r.title),
    content: String(r.content),
    contentHash: String(r.content_hash),
    metadata: (typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata) as Record<
      string,
      unknown
    >,
    chunks: Number(r.chunks),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export type UpsertStatus = "added" | "updated" | "unchanged";

/** One document of an upsert: its input and its prepared (titled, chunked) form. */
export interface UpsertItem {
  input: DocumentInput & { sourceUpdatedAt?: Date };
  prepared: { title: string; chunks: PreparedChunk[] };
}

/** Embeds every chunk text (in order), or answers undefined when the embedder is unavailable. */
export type EmbedTexts = (texts: string[]) => Promise<{ embedder: string; vectors: number[][] } | undefined>;

/**
 * Upsert by (project, kind, path) of a batch of documents, (kind, path) unique within it. Same
 * content hash → that document is not touched. The others are written in ONE transaction — one
 * statement for their document rows, one for their chunks, one COPY for their vectors — so the
 * batch is stored whole or not at all (a vector the database refuses rolls back every document).
 * Without vectors when the embedder is unavailable: the embed job fills them in later, so an
 * accepted document is never lost for want of a vector. Answers in input order.
 */
export async function upsertDocuments(
  database: Database,
  projectId: string,
  items: UpsertItem[],
  embed: EmbedTexts | undefined,
): Promise<{ id: string; status: UpsertStatus; chunks: number }[]> {
  if (!items.length) return [];
  const key = (kind: string, path: string) => `${kind}\u0000${path}`;
  const rows = items.map(({ input, prepared }) => {
    const metadata = input.metadata ?? {};
    return {
      kind: input.kind,
      path: input.path,
      title: prepared.title,
      content: input.content,
      content_hash: contentHash(input.kind, prepared.title, input.content, metadata),
      metadata,
      source_updated_at: input.sourceUpdatedAt?.toISOString() ?? null,
    };
  });
  const keys = rows.map((r) => key(r.kind, r.path));
  // One upsert cannot write a row twice ("ON CONFLICT … cannot affect row a second time").
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined)
    throw new Error(`document ${JSON.stringify(dup.replace("\u0000", ":"))} twice in a batch`);
  const existing = new Map(
    (
      await database.query<{ id: string; kind: string; path: string; content_hash: string }>(sql`
        select d.id, d.kind, d.path, d.content_hash
        from documents d join json_to_recordset(${JSON.stringify(rows.map(({ kind, path }) => ({ kind, path })))}::json)
          as t(kind text, path text) on d.kind = t.kind and d.path = t.path
        where d.project_id = ${projectId}`)
    ).map((r) => [key(r.kind, r.path), r]),
  );
  const out: { id: string; status: UpsertStatus; chunks: number }[] = new Array(items.length);
  const changed: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const before = existing.get(key(rows[i]!.kind, rows[i]!.path));
    if (before && before.content_hash === rows[i]!.content_hash) {
      const at = items[i]!.input.sourceUpdatedAt;
      if (at)
        await database.query(
          sql`update documents set source_updated_at = ${at.toISOString()} where id = ${before.id}`,
        );
      out[i] = { id: before.id, status: "unchanged", chunks: items[i]!.prepared.chunks.length };
    } else changed.push(i);
  }
  if (!changed.length) return out;

  // Embedding happens outside the transaction: a remote embedder must not hold locks.
  const texts = changed.flatMap((i) => items[i]!.prepared.chunks.map((c) => c.texts.embedding));
  const embedded = embed ? await embed(texts) : undefined;
  if (embedded && embedded.vectors.length !== texts.length)
    throw new Error(`embedder returned ${embedded.vectors.length} vectors for ${texts.length} chunks`);
  const embedderId = embedded ? safeEmbedderId(embedded.embedder) : undefined;

  return database.db.transaction(async (tx) => {
    // Rows in (kind, path) order: two batches sharing documents lock them in the same order.
    const order = [...changed].sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
    const docs = rowsOf<{ id: string; kind: string; path: string; inserted: boolean }>(
      await tx.execute(sql`
        insert into documents (project_id, kind, path, title, content, content_hash, metadata, source_updated_at)
        select ${projectId}, t.kind, t.path, t.title, t.content, t.content_hash, t.metadata, t.source_updated_at
        from json_to_recordset(${JSON.stringify(order.map((i) => rows[i]))}::json)
          as t(kind text, path text, title text, content text, content_hash text, metadata jsonb,
               source_updated_at timestamptz)
        on conflict (project_id, kind, path) do update set
          title = excluded.title, content = excluded.content, content_hash = excluded.content_hash,
          metadata = excluded.metadata, source_updated_at = excluded.source_updated_at, updated_at = now()
        returning id, kind, path, (xmax = 0) as inserted`),
    );
    const written = new Map(docs.map((d) => [key(d.kind, d.path), d]));
    const idOf = (i: number) => written.get(key(rows[i]!.kind, rows[i]!.path))!.id;
    const updatedIds = docs.filter((d) => !d.inserted).map((d) => d.id);
    if (updatedIds.length)
      await tx.execute(
        sql`delete from chunks where document_id in (${sql.join(
          updatedIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    // One statement for every chunk of the batch: the tsvector is the server's to compute.
    const chunkRows = changed.flatMap((i) =>
      items[i]!.prepared.chunks.map((c) => ({
        document_id: idOf(i),
        kind: rows[i]!.kind,
        ord: c.ord,
        heading_path: c.headingPath,
        content: c.content,
        title: c.texts.title,
        headings: c.texts.headings,
        body: c.texts.body,
      })),
    );
    const inserted = rowsOf<{ id: number; document_id: string; ord: number }>(
      await tx.execute(sql`
        insert into chunks (document_id, project_id, kind, ord, heading_path, content, tsv)
        select t.document_id, ${projectId}, t.kind, t.ord, t.heading_path, t.content,
          setweight(to_tsvector('english', t.title), 'A') ||
          setweight(to_tsvector('english', t.headings), 'B') ||
          setweight(to_tsvector('english', t.body), 'D')
        from json_to_recordset(${JSON.stringify(chunkRows)}::json)
          as t(document_id uuid, kind text, ord int, heading_path jsonb, content text, title text,
               headings text, body text)
        returning id, document_id, ord`),
    );
    const chunkId = new Map(inserted.map((r) => [`${r.document_id}:${r.ord}`, Number(r.id)]));
    let v = 0;
    // Sized for the vectors (4 bytes a component) and each row's other fields.
    const copy =
      embedded && embedderId && texts.length
        ? new BinaryCopyWriter(texts.length * (4 * (embedded.vectors[0]?.length ?? 0) + 128))
        : undefined;
    for (const i of changed) {
      const id = idOf(i);
      const ids = items[i]!.prepared.chunks.map((c) => chunkId.get(`${id}:${c.ord}`)!);
      if (copy)
        addEmbeddingRows(
          copy,
          embedderId!,
          projectId,
          rows[i]!.kind,
          ids,
          embedded!.vectors.slice(v, v + ids.length),
        );
      v += ids.length;
      const before = existing.get(key(rows[i]!.kind, rows[i]!.path));
      // A concurrent upsert of the same path may have inserted first: then this is an update.
      const status: UpsertStatus =
        written.get(key(rows[i]!.kind, rows[i]!.path))!.inserted && !before ? "added" : "updated";
      out[i] = { id, status, chunks: ids.length };
    }
    if (copy) await copyIn(tx, "chunk_embeddings", EMBEDDING_COLUMNS, [copy.finish()], { format: "binary" });
    return out;
  });
}

export async function getDocument(
  database: Database,
  projectId: string,
  where: { id?: string; kind?: string; path?: string },
): Promise<StoredDocument | undefined> {
  const cond = where.id
    ? sql`d.id = ${where.id}`
    : sql`d.kind = ${where.kind ?? ""} and d.path = ${where.path ?? ""}`;
  const [row] = await database.query(
    sql`select ${documentColumns} from documents d where d.project_id = ${projectId} and ${cond}`,
  );
  return row ? toDocument(row) : undefined;
}

export async function listDocuments(
  database: Database,
  projectId: string,
  options: { kind?: string; pathPrefix?: string; limit: number; offset: number },
): Promise<StoredDocument[]> {
  const conds: SQL[] = [sql`d.project_id = ${projectId}`];
  if (options.kind) conds.push(sql`d.kind = ${options.kind}`);
  if (options.pathPrefix) conds.push(sql`starts_with(d.path, ${options.pathPrefix})`);
  const rows = await database.query(
    sql`select ${documentColumns} from documents d where ${sql.join(conds, sql` and `)}
        order by d.kind, d.path limit ${options.limit} offset ${options.offset}`,
  );
  return rows.map(toDocument);
}

export async function deleteDocument(
  database: Database,
  projectId: string,
  where: { id?: string; kind?: string; path?: string },
): Promise<string | undefined> {
  const cond = where.id
    ? sql`id = ${where.id}`
    : sql`kind = ${where.kind ?? ""} and path = ${where.path ?? ""}`;
  const [row] = await database.query<{ id: string }>(
    sql`delete from documents where project_id = ${projectId} and ${cond} returning id`,
  );
  return row?.id;
}

export interface LegFilter {
  kinds?: DocumentKind[];
  filters?: SearchFilters;
  /** Leave these documents out (e.g. the incident itself when looking for similar ones). */
  excludeDocumentIds?: string[];
}

function filterSql(alias: "c" | "e", f: LegFilter): SQL {
  const parts: SQL[] = [];
  if (f.kinds?.length)
    parts.push(
      sql`${sql.raw(alias)}.kind in (${sql.join(
        f.kinds.map((k) => sql`${k}`),
        sql`, `,
      )})`,
    );
  if (f.excludeDocumentIds?.length)
    parts.push(
      sql`c.document_id not in (${sql.join(
        f.excludeDocumentIds.map((k) => sql`${k}::uuid`),
        sql`, `,
      )})`,
    );
  const docConds: SQL[] = [];
  if (f.filters?.pathPrefix) docConds.push(sql`starts_with(d.path, ${f.filters.pathPrefix})`);
  if (f.filters?.metadata && Object.keys(f.filters.metadata).length)
    docConds.push(sql`d.metadata @> ${JSON.stringify(f.filters.metadata)}::jsonb`);
  if (docConds.length)
    parts.push(
      sql`exists (select 1 from documents d where d.id = c.document_id and ${sql.join(docConds, sql` and `)})`,
    );
  return parts.length ? sql` and ${sql.join(parts, sql` and `)}` : sql``;
}

export interface LegRow {
  chunkId: number;
  documentId: string;
  score: number;
}

/**
 * HNSW build parameters of every embedder's index (the built-in one's migration uses the same):
 * the cheapest inserts measured that keep recall@10 above 0.95 on near-duplicate runbook sections
 * (bench:hnsw and bench:search in bench/README.md).
 */
export const HNSW_BUILD = { m: 16, efConstruction: 128 };
/**
 * Candidate list size of an HNSW search: at least 800, where recall@10 against an exact scan stays
 * above 0.95 even on the less connected of the graphs that inserts build (at 400 one embedded
 * build gave 0.945), for about a millisecond more; 1000 is pgvector's cap (bench:search
 * --ef-search, bench/README.md).
 */
export const efSearch = (limit: number) => Math.max(800, Math.min(1000, limit * 2));

/**
 * Nearest chunks by cosine distance through the embedder's HNSW index. The embedder id and
 * dimension are inlined so the planner can match the partial expression index; iterative scans
 * (pgvector 0.8) keep filtered queries from coming back short. relaxed_order lets the iterative
 * scan return rows slightly out of order; sorting the `limit` rows here is the re-rank pgvector's
 * documentation does with a materialized CTE.
 */
export async function vectorLeg(
  database: Database,
  projectId: string,
  embedder: { id: string; dims: number },
  query: number[],
  limit: number,
  filter: LegFilter = {},
  /** Candidate list size, when not efSearch(limit): benches sweep it against recall. */
  efSearchOverride?: number,
): Promise<LegRow[]> {
  const id = safeEmbedderId(embedder.id);
  const dims = Math.trunc(embedder.dims);
  const cast = sql.raw(`::vector(${dims})`);
  const q = vectorLiteral(query);
  return database.db.transaction(async (tx) => {
    // One round trip for both settings (transaction-local, like SET LOCAL).
    await tx.execute(
      sql`select set_config('hnsw.ef_search', ${String(efSearchOverride ?? efSearch(limit))}, true),
                 set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
    );
    const rows = rowsOf<{ chunk_id: number; document_id: string; distance: number }>(
      await tx.execute(sql`
        select e.chunk_id, c.document_id, (e.embedding${cast} <=> ${q}${cast}) as distance
        from chunk_embeddings e join chunks c on c.id = e.chunk_id
        where e.embedder = ${sql.raw(`'${id}'`)} and e.project_id = ${projectId}${filterSql("e", filter)}
        order by e.embedding${cast} <=> ${q}${cast}
        limit ${limit}`),
    );
    // relaxed_order may return slightly out of order: sort exactly; identical vectors (the same
    // section text in several documents) in chunk order, so equal results come in a stable order.
    return rows
      .map((r) => ({
        chunkId: Number(r.chunk_id),
        documentId: String(r.document_id),
        score: 1 - Number(r.distance),
      }))
      .sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
  });
}

/**
 * Rows the text leg ranks, at most (estimated). ts_rank costs ~8 µs a row, so an OR of a long
 * alert's words over a large corpus (10k+ matching chunks at 50k) would cost the whole latency
 * budget; lexemes are therefore taken rarest first until their estimated matches reach this.
 */
export const TEXT_LEG_ROW_BUDGET = 2500;

/**
 * OR of the query's stemmed lexemes: alert text is long, an AND of every word would match nothing.
 * Lexemes that ANALYZE found in more than 5% of chunks (pg_stats.most_common_elems of chunks.tsv)
 * are left out, as BM25 would all but ignore them: "pod" or "alert" would otherwise make the leg
 * rank half the corpus (when every word is that common, they are kept). The rest are added rarest
 * first while the sum of their estimated matches stays within TEXT_LEG_ROW_BUDGET (the rarest one
 * always): like BM25's IDF, this keeps the words that discriminate, and bounds the ranking work.
 * A lexeme absent from the statistics counts, as in Postgres' own estimate, half the least
 * frequent tracked one; on a small corpus the budget exceeds the table and nothing is dropped.
 */
const orQuery = (text: string) =>
  sql`(with lex as (select distinct l from unnest(tsvector_to_array(to_tsvector('english', ${text}))) l),
        stats as (
          select e.elem, e.freq from pg_stats s,
            unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as e(elem, freq)
          where s.schemaname = current_schema() and s.tablename = 'chunks' and s.attname = 'tsv'
            and e.elem is not null),
        est as (
          select l, coalesce((select freq from stats where elem = l),
                             (select min(freq) / 2 from stats), 0) as freq
          from lex),
        kept as (
          select l, freq from est where freq <= 0.05
          union all select l, freq from est where not exists (select 1 from est where freq <= 0.05)),
        ranked as (
          select l, row_number() over w as n, sum(freq) over w as cumulative from kept
          window w as (order by freq, l)),
        total as (
          select greatest(reltuples, 1) as rows from pg_class
          where oid = to_regclass(quote_ident(current_schema()) || '.chunks'))
      select coalesce(string_agg(quote_literal(l), ' | '), '')::tsquery
      from ranked, total
      where n = 1 or cumulative * total.rows <= ${TEXT_LEG_ROW_BUDGET})`;

/**
 * The text leg's tsquery for a query (orQuery), as text: worked out once and handed to textLeg and
 * chunkDetails (and to the searches of one incident), as its statistics lookup costs more than the
 * ranking on a small corpus.
 */
export async function textQuery(database: Database, query: string): Promise<TextQuery> {
  const [row] = await database.query<{ q: string }>(sql`select ${orQuery(queryText(query))}::text as q`);
  return { tsquery: row?.q ?? "" };
}

/** A query's tsquery as textQuery works it out. */
export interface TextQuery {
  tsquery: string;
}

const tsquerySql = (query: string | TextQuery) =>
  typeof query === "string" ? orQuery(queryText(query)) : sql`(select ${query.tsquery}::tsquery)`;

/**
 * Full-text leg: ts_rank over title (A), headings (B) and body (D), normalised by log length
 * (flag 1) so long sections do not win by size alone.
 */
export async function textLeg(
  database: Database,
  projectId: string,
  query: string | TextQuery,
  limit: number,
  filter: LegFilter = {},
): Promise<LegRow[]> {
  const rows = await database.query<{ id: number; document_id: string; score: number }>(sql`
    with q as materialized (select ${tsquerySql(query)} as q)
    select c.id, c.document_id, ts_rank('{0.1, 0.2, 0.5, 1.0}', c.tsv, q.q, 1) as score
    from chunks c, q
    where c.project_id = ${projectId} and c.tsv @@ q.q${filterSql("c", filter)}
    order by score desc, c.id
    limit ${limit}`);
  return rows.map((r) => ({
    chunkId: Number(r.id),
    documentId: String(r.document_id),
    score: Number(r.score),
  }));
}

export interface ChunkDetail {
  chunkId: number;
  documentId: string;
  kind: DocumentKind;
  path: string;
  title: string;
  headingPath: string[];
  content: string;
  snippet: string;
}

/** Source, heading path and a highlighted, HTML-escaped snippet for the chunks that made the page. */
export async function chunkDetails(
  database: Database,
  projectId: string,
  chunkIds: number[],
  query: string | TextQuery,
): Promise<Map<number, ChunkDetail>> {
  if (!chunkIds.length) return new Map();
  const rows = await database.query<Row>(sql`
    with q as (select ${tsquerySql(query)} as q)
    select c.id, c.document_id, d.kind, d.path, d.title, c.heading_path, c.content,
      ts_headline('english', translate(c.content, ${MARK_START + MARK_END}, ''), q.q,
        ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`}) as snippet
    from chunks c join documents d on d.id = c.document_id, q
    where c.project_id = ${projectId} and c.id in (${sql.join(
      chunkIds.map((id) => sql`${id}`),
      sql`, `,
    )})`);
  const out = new Map<number, ChunkDetail>();
  for (const r of rows) {
    const headingPath = (
      typeof r.heading_path === "string" ? JSON.parse(r.heading_path) : r.heading_path
    ) as string[];
    out.set(Number(r.id), {
      chunkId: Number(r.id),
      documentId: String(r.document_id),
      kind: r.kind as DocumentKind,
      path: String(r.path),
      title: String(r.title),
      headingPath,
      content: String(r.content),
      snippet: markedToHtml(String(r.snippet ?? "")),
    });
  }
  return out;
}

/** Chunks that have no vector from this embedder yet (new embedder, or the embedder was down). */
export async function chunksMissingEmbedding(
  database: Database,
  embedderId: string,
  limit: number,
): Promise<
  { id: number; projectId: string; kind: string; title: string; headingPath: string[]; content: string }[]
> {
  const rows = await database.query<Row>(sql`
    select c.id, c.project_id, c.kind, d.title, c.heading_path, c.content
    from chunks c join documents d on d.id = c.document_id
    where not exists (select 1 from chunk_embeddings e where e.chunk_id = c.id and e.embedder = ${embedderId})
    order by c.id limit ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    projectId: String(r.project_id),
    kind: String(r.kind),
    title: String(r.title),
    headingPath: (typeof r.heading_path === "string"
      ? JSON.parse(r.heading_path)
      : r.heading_path) as string[],
    content: String(r.content),
  }));
}

/**
 * The embed job's writes, one batch in one transaction: the vectors by binary COPY (as indexing
 * writes them) into a temporary table, then one upsert from it. Idempotent: a retried batch does
 * not duplicate (primary key chunk_id, embedder); a chunk deleted meanwhile is skipped.
 */
export async function saveEmbeddings(
  database: Database,
  embedderId: string,
  rows: { chunkId: number; projectId: string; kind: string; vector: number[] }[],
): Promise<void> {
  if (!rows.length) return;
  const id = safeEmbedderId(embedderId);
  const copy = new BinaryCopyWriter(rows.length * (4 * (rows[0]?.vector.length ?? 0) + 128));
  for (const r of rows) addEmbeddingRows(copy, id, r.projectId, r.kind, [r.chunkId], [r.vector]);
  await database.db.transaction(async (tx) => {
    await tx.execute(
      sql`create temporary table embeddings_in (like chunk_embeddings including defaults) on commit drop`,
    );
    await copyIn(tx, "embeddings_in", EMBEDDING_COLUMNS, [copy.finish()], { format: "binary" });
    await tx.execute(sql`
      insert into chunk_embeddings (chunk_id, embedder, project_id, kind, embedding)
      select e.chunk_id, e.embedder, e.project_id, e.kind, e.embedding from embeddings_in e
      where exists (select 1 from chunks c where c.id = e.chunk_id)
      on conflict (chunk_id, embedder) do update set embedding = excluded.embedding`);
  });
}

/** Records that this process uses the embedder now (see embedderReady and pruneUnusedEmbeddings). */
export async function noteEmbedderUse(database: Database, embedderId: string): Promise<void> {
  await database.query(sql`
    insert into rag_embedders (embedder, last_used_at) values (${embedderId}, now())
    on conflict (embedder) do update set last_used_at = excluded.last_used_at`);
}

/**
 * Deletes the vectors of embedders that no process has used for `keepDays` (never `currentId`'s;
 * keepDays 0 keeps everything). Vectors stay through a grace period rather than going as soon as a
 * re-embed completes: a switch back within it re-embeds only what changed meanwhile, and another
 * process still configured with the other embedder keeps noting its use.
 */
export async function pruneUnusedEmbeddings(
  database: Database,
  currentId: string,
  keepDays: number,
): Promise<{ embedders: string[]; deleted: number }> {
  if (keepDays <= 0) return { embedders: [], deleted: 0 };
  const stale = await database.query<{ embedder: string }>(sql`
    select embedder from rag_embedders
    where embedder <> ${currentId} and last_used_at < now() - make_interval(days => ${keepDays})`);
  let deleted = 0;
  for (const { embedder } of stale) {
    // One statement: the vectors go only if the row is still stale (a use noted before it keeps
    // them; a note racing it waits on the row lock and then re-creates the row), and with it.
    const [row] = await database.query<{ n: number }>(sql`
      with forget as (
        delete from rag_embedders where embedder = ${embedder}
          and last_used_at < now() - make_interval(days => ${keepDays}) returning embedder),
      gone as (delete from chunk_embeddings where embedder in (select embedder from forget) returning 1)
      select count(*)::int as n from gone`);
    deleted += Number(row?.n ?? 0);
  }
  return { embedders: stale.map((s) => s.embedder), deleted };
}

/** A partial HNSW index for an embedder configured at run time (the built-in one has a migration). */
export async function ensureVectorIndex(database: Database, embedderId: string, dims: number): Promise<void> {
  const id = safeEmbedderId(embedderId);
  const name = `chunk_embeddings_hnsw_${createHash("sha256").update(`${id}@${dims}`).digest("hex").slice(0, 16)}`;
  await database.execute(
    `create index if not exists ${name} on chunk_embeddings
     using hnsw ((embedding::vector(${Math.trunc(dims)})) vector_cosine_ops)
     with (m = ${HNSW_BUILD.m}, ef_construction = ${HNSW_BUILD.efConstruction}) where embedder = '${id}'`,
  );
}
