import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { copyIn } from "../../src/db/copy.ts";
import { BinaryCopyWriter } from "../../src/db/copy-binary.ts";
import { rowsOf } from "../../src/db/rows.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const COLUMNS = ["id", "note", "owner", "v"];

describe("BinaryCopyWriter", () => {
  it("frames rows as PostgreSQL's binary COPY: signature, flags, fields with lengths, trailer", () => {
    const bytes = new BinaryCopyWriter(1).row(2).int8(258).text("é").finish();
    expect(Array.from(bytes)).toEqual([
      ...Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
      ...[0, 0, 0, 0, 0, 0, 0, 0], // flags, header extension
      ...[0, 2], // two fields
      ...[0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2], // int8 258
      ...[0, 0, 0, 2, 0xc3, 0xa9], // "é" in UTF-8
      ...[0xff, 0xff], // -1: the end
    ]);
  });

  it("refuses a uuid that is not one", () => {
    expect(() => new BinaryCopyWriter().uuid("not-a-uuid")).toThrow(/not a uuid/);
  });
});

describeEachDatabase("copyIn, binary format", (ctx) => {
  beforeAll(async () => {
    await ctx.database.execute(
      "create table copy_bin (id bigint primary key, note text, owner uuid, v vector)",
    );
  });
  const rows = async () =>
    rowsOf<{ id: string; note: string; owner: string; v: string }>(
      await ctx.database.db.execute(
        sql`select id::text, note, owner::text, v::text from copy_bin order by copy_bin.id`,
      ),
    );

  it("stores what it was given: 64-bit ids, any text, uuids, vectors as float4", async () => {
    // Grows from a tiny buffer: 300 rows of 64 dimensions need several doublings.
    const copy = new BinaryCopyWriter(16);
    const vector = (i: number) => Array.from({ length: 64 }, (_, j) => (j - 32) / (i + 3));
    for (let i = 0; i < 300; i++)
      copy
        .row(4)
        .int8(i === 0 ? Number.MAX_SAFE_INTEGER : i)
        .text(`row ${i}\tnew\nline \\ ✓`)
        .uuid("0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9")
        .vector(vector(i));
    await ctx.database.db.transaction((tx) =>
      copyIn(tx, "copy_bin", COLUMNS, [copy.finish()], { format: "binary" }),
    );
    const stored = await rows();
    expect(stored).toHaveLength(300);
    const last = stored.at(-1)!;
    expect(last).toMatchObject({
      id: String(Number.MAX_SAFE_INTEGER),
      note: "row 0\tnew\nline \\ ✓",
      owner: "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9",
    });
    for (const row of [stored[0]!, stored[150]!, last]) {
      const i = row.id === last.id ? 0 : Number(row.id);
      // The shortest decimal that reads back as the same float4: every component exactly x in float4.
      expect((JSON.parse(row.v) as number[]).map(Math.fround)).toEqual(vector(i).map(Math.fround));
    }
  });

  it("a row whose fields do not match the columns is the server's error, and nothing is stored", async () => {
    const copy = new BinaryCopyWriter()
      .row(4)
      .int8(1_000_000)
      .text("ok")
      .uuid("00000000-0000-4000-8000-000000000001")
      .vector([1]);
    copy.row(3).int8(1_000_001).text("short").uuid("00000000-0000-4000-8000-000000000001");
    const failed = await ctx.database.db
      .transaction((tx) => copyIn(tx, "copy_bin", COLUMNS, [copy.finish()], { format: "binary" }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toMatchObject({ code: "22P04" }); // bad_copy_file_format
    expect(await rows()).toHaveLength(300);
  });
});
