import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { copyIn } from "../../src/db/copy.ts";
import { BinaryCopyWriter } from "../../src/db/copy-binary.ts";
import { rowsOf } from "../../src/db/rows.ts";
import { addEmbeddingRows, EMBEDDING_COLUMNS, vectorLiteral } from "../../src/rag/store.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describe("vector literal and the COPY rows of a document's vectors", () => {
  it("writes 7 significant digits a component, zeros and negatives as numbers", () => {
    const v = Float32Array.from([0, 0.123456789, -1, 1e-9, 0.5]);
    expect(vectorLiteral(v)).toBe("[0,0.1234568,-1,1e-9,0.5]");
    expect(vectorLiteral([])).toBe("[]");
    const parsed = JSON.parse(vectorLiteral(Array.from(v))) as number[];
    for (const [i, x] of parsed.entries()) expect(x).toBeCloseTo(v[i]!, 6);
  });

  it("refuses a vector count that does not match the chunks", () => {
    expect(() => addEmbeddingRows(new BinaryCopyWriter(), "e", "p", "doc", [1, 2], [[1]])).toThrow(
      /1 vectors for 2 chunks/,
    );
  });
});

describeEachDatabase("addEmbeddingRows", (ctx) => {
  beforeAll(async () => {
    await ctx.database.execute("create table ce_copy (like chunk_embeddings including defaults)");
  });

  it("COPYs into chunk_embeddings' columns: one row per chunk, in chunk order", async () => {
    const projectId = "00000000-0000-4000-8000-00000000000a";
    const copy = new BinaryCopyWriter();
    addEmbeddingRows(
      copy,
      "builtin-hash-v1",
      projectId,
      "runbook",
      [7, 9],
      [
        [0.5, 0],
        [-0.25, 1],
      ],
    );
    addEmbeddingRows(copy, "builtin-hash-v1", projectId, "incident", [11], [[0.125, -2]]);
    await ctx.database.db.transaction((tx) =>
      copyIn(tx, "ce_copy", EMBEDDING_COLUMNS, [copy.finish()], { format: "binary" }),
    );
    const rows = rowsOf<Record<string, unknown>>(
      await ctx.database.db.execute(
        sql`select chunk_id::int, embedder, project_id::text, kind, embedding::text from ce_copy order by chunk_id`,
      ),
    );
    expect(rows).toEqual([
      {
        chunk_id: 7,
        embedder: "builtin-hash-v1",
        project_id: projectId,
        kind: "runbook",
        embedding: "[0.5,0]",
      },
      {
        chunk_id: 9,
        embedder: "builtin-hash-v1",
        project_id: projectId,
        kind: "runbook",
        embedding: "[-0.25,1]",
      },
      {
        chunk_id: 11,
        embedder: "builtin-hash-v1",
        project_id: projectId,
        kind: "incident",
        embedding: "[0.125,-2]",
      },
    ]);
  });
});
