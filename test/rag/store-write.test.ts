import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { BUILTIN_DIMENSIONS, BuiltinEmbedder } from "../../src/rag/embedders/builtin.ts";
import type { Embedder } from "../../src/rag/embedders/types.ts";
import { indexDocument, indexDocuments } from "../../src/rag/index-document.ts";
import { getDocument, saveEmbeddings, vectorLeg } from "../../src/rag/store.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const v1 = `# DiskPressure

## Meaning

The node's root filesystem is almost full.

## Mitigation

Delete old container images with crictl rmi --prune.
`;
const v2 = `# DiskPressure

## Meaning

The node's root filesystem is almost full.

## Diagnosis

Run du on /var/lib/containerd to find the largest snapshot directories.

## Escalation

Page the storage team when the kubelet starts evicting pods.
`;

/** The built-in embedder, except that the text containing `poison` gets a vector the database refuses. */
class PoisonedEmbedder implements Embedder {
  readonly id = new BuiltinEmbedder().id;
  constructor(private readonly poison: string) {}
  async dimensions() {
    return BUILTIN_DIMENSIONS;
  }
  async embed(texts: string[]) {
    const vectors = await new BuiltinEmbedder().embed(texts);
    return vectors.map((v, i) => (texts[i]!.includes(this.poison) ? v.map(() => Number.NaN) : v));
  }
}

describeEachDatabase("rag document write path", (db) => {
  const embedder = new BuiltinEmbedder();
  let projectId = "";
  const counts = async (documentId: string) => {
    const [row] = await db.database.query<{ chunks: number; vectors: number; orphans: number }>(sql`
      select (select count(*)::int from chunks where document_id = ${documentId}) as chunks,
             (select count(*)::int from chunk_embeddings e join chunks c on c.id = e.chunk_id
               where c.document_id = ${documentId}) as vectors,
             (select count(*)::int from chunk_embeddings e
               where not exists (select 1 from chunks c where c.id = e.chunk_id)) as orphans`);
    return row!;
  };
  const chunkIds = async (documentId: string) =>
    (
      await db.database.query<{ id: number }>(
        sql`select id from chunks where document_id = ${documentId} order by ord`,
      )
    ).map((r) => Number(r.id));
  const nearest = async (text: string) => {
    const [query] = await embedder.embed([text]);
    const [top] = await vectorLeg(
      db.database,
      projectId,
      { id: embedder.id, dims: BUILTIN_DIMENSIONS },
      query!,
      5,
    );
    const [chunk] = await db.database.query<{ content: string }>(
      sql`select content from chunks where id = ${top!.chunkId}`,
    );
    return chunk!.content;
  };

  it("stores a document with one vector per chunk; unchanged content keeps its chunks", async () => {
    projectId = (await createApiKey(db.database.db, "rag-write")).projectId;
    const first = await indexDocument(db.database, embedder, projectId, {
      kind: "runbook",
      path: "disk.md",
      content: v1,
    });
    expect(first).toMatchObject({ status: "added", chunks: 2, embedded: true });
    expect(await counts(first.id)).toEqual({ chunks: 2, vectors: 2, orphans: 0 });
    const ids = await chunkIds(first.id);
    const again = await indexDocument(db.database, embedder, projectId, {
      kind: "runbook",
      path: "disk.md",
      content: v1,
    });
    expect(again).toMatchObject({ id: first.id, status: "unchanged" });
    expect(await chunkIds(first.id)).toEqual(ids);
  });

  it("re-indexing replaces the chunks and vectors, and search finds the new sections", async () => {
    const before = await getDocument(db.database, projectId, { kind: "runbook", path: "disk.md" });
    const oldIds = await chunkIds(before!.id);
    const out = await indexDocument(db.database, embedder, projectId, {
      kind: "runbook",
      path: "disk.md",
      content: v2,
    });
    expect(out).toMatchObject({ id: before!.id, status: "updated", chunks: 3, embedded: true });
    expect(await counts(out.id)).toEqual({ chunks: 3, vectors: 3, orphans: 0 });
    const newIds = await chunkIds(out.id);
    expect(newIds.filter((id) => oldIds.includes(id))).toEqual([]);
    expect(await nearest("largest snapshot directories under containerd")).toContain("du on /var/lib");
    expect(await nearest("crictl prune old container images")).not.toContain("crictl");
  });

  it("a document whose vectors the database refuses is stored not at all, the old version kept", async () => {
    const before = await getDocument(db.database, projectId, { kind: "runbook", path: "disk.md" });
    const ids = await chunkIds(before!.id);
    const poisoned = new PoisonedEmbedder("kubelet starts evicting");
    const edited = v2.replace("storage team", "platform team");
    await expect(
      indexDocument(db.database, poisoned, projectId, { kind: "runbook", path: "disk.md", content: edited }),
    ).rejects.toThrow();
    const after = await getDocument(db.database, projectId, { kind: "runbook", path: "disk.md" });
    expect(after!.content).toBe(v2);
    expect(await chunkIds(after!.id)).toEqual(ids);
    expect(await counts(after!.id)).toEqual({ chunks: 3, vectors: 3, orphans: 0 });

    await expect(
      indexDocument(db.database, poisoned, projectId, { kind: "runbook", path: "new.md", content: edited }),
    ).rejects.toThrow();
    expect(await getDocument(db.database, projectId, { kind: "runbook", path: "new.md" })).toBeUndefined();
    const [left] = await db.database.query<{ n: number }>(
      sql`select count(*)::int as n from chunks where project_id = ${projectId}`,
    );
    expect(left!.n).toBe(3);
  });

  it("a batch is stored whole or not at all: one refused vector rolls back every document", async () => {
    const before = await getDocument(db.database, projectId, { kind: "runbook", path: "disk.md" });
    const ids = await chunkIds(before!.id);
    const poisoned = new PoisonedEmbedder("walrus");
    const batch = [
      { kind: "runbook" as const, path: "batch-a.md", content: "# A\n\n## Step\n\nRestart the gateway.\n" },
      { kind: "runbook" as const, path: "disk.md", content: v2.replace("storage team", "platform team") },
      { kind: "runbook" as const, path: "batch-b.md", content: "# B\n\n## Step\n\nFeed the walrus.\n" },
    ];
    await expect(indexDocuments(db.database, poisoned, projectId, batch)).rejects.toThrow();
    expect(
      await getDocument(db.database, projectId, { kind: "runbook", path: "batch-a.md" }),
    ).toBeUndefined();
    expect(
      await getDocument(db.database, projectId, { kind: "runbook", path: "batch-b.md" }),
    ).toBeUndefined();
    const after = await getDocument(db.database, projectId, { kind: "runbook", path: "disk.md" });
    expect(after!.content).toBe(v2);
    expect(await chunkIds(after!.id)).toEqual(ids);

    // The same batch without the poison: every document stored, each with its own vectors.
    const out = await indexDocuments(db.database, embedder, projectId, batch);
    expect(out.map((o) => o.status)).toEqual(["added", "updated", "added"]);
    expect(out[1]!.id).toBe(before!.id);
    for (const o of out)
      expect(await counts(o.id)).toEqual({ chunks: o.chunks, vectors: o.chunks, orphans: 0 });
    expect(await nearest("feed the walrus")).toContain("walrus");
    expect(await nearest("restart the gateway")).toContain("gateway");
  });

  it("a batch stored while the embedder is down has every chunk, no vector, and says so", async () => {
    const down: Embedder = {
      id: embedder.id,
      dimensions: async () => BUILTIN_DIMENSIONS,
      embed: async () => {
        throw new Error("embedder down");
      },
    };
    const errors: unknown[] = [];
    const out = await indexDocuments(
      db.database,
      down,
      projectId,
      [
        { kind: "runbook", path: "down-a.md", content: "# A\n\n## One\n\nx\n\n## Two\n\ny\n" },
        { kind: "runbook", path: "batch-a.md", content: "# A\n\n## Step\n\nRestart the gateway.\n" },
      ],
      (e) => errors.push(e),
    );
    expect(out.map((o) => [o.status, o.embedded])).toEqual([
      ["added", false],
      ["unchanged", true],
    ]);
    expect(errors).toHaveLength(1);
    expect(await counts(out[0]!.id)).toEqual({ chunks: 2, vectors: 0, orphans: 0 });
  });

  it("refuses a batch holding one document twice, writing nothing", async () => {
    const twice = [
      { kind: "runbook" as const, path: "twice.md", content: "# One" },
      { kind: "runbook" as const, path: "twice.md", content: "# Two" },
    ];
    await expect(indexDocuments(db.database, embedder, projectId, twice)).rejects.toThrow(/twice in a batch/);
    expect(await getDocument(db.database, projectId, { kind: "runbook", path: "twice.md" })).toBeUndefined();
  });

  it("the embed job's writes: new vectors added, existing ones replaced, deleted chunks skipped", async () => {
    const doc = await indexDocument(db.database, embedder, projectId, {
      kind: "runbook",
      path: "save-embeddings.md",
      content: v1,
    });
    const [a, b] = await chunkIds(doc.id);
    await db.database.query(sql`delete from chunk_embeddings where chunk_id = ${a!}`);
    await db.database.query(sql`delete from chunks where id = ${b!}`);
    const vector = (x: number) => Array.from({ length: BUILTIN_DIMENSIONS }, (_, i) => (i === 0 ? x : 0));
    const stored = async () =>
      (
        await db.database.query<{ chunk_id: number; first: number }>(sql`
          select chunk_id::int, (embedding::real[])[1] as first from chunk_embeddings
          where chunk_id in (${a!}, ${b!}) order by chunk_id`)
      ).map((r) => [Number(r.chunk_id), Number(r.first)]);
    const save = (x: number) =>
      saveEmbeddings(db.database, embedder.id, [
        { chunkId: a!, projectId, kind: "runbook", vector: vector(x) },
        { chunkId: b!, projectId, kind: "runbook", vector: vector(x) },
      ]);
    await save(0.5);
    expect(await stored()).toEqual([[a!, 0.5]]);
    await save(0.25); // the same batch again (a retry, or a re-embedding): replaced, not added
    expect(await stored()).toEqual([[a!, 0.25]]);
    expect(await counts(doc.id)).toMatchObject({ chunks: 1, vectors: 1, orphans: 0 });
  });
});
