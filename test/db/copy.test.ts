import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { copyIn } from "../../src/db/copy.ts";
import { rowsOf } from "../../src/db/rows.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("copyIn", (ctx) => {
  beforeAll(async () => {
    await ctx.database.execute("create table copy_t (id int primary key, note text, doc jsonb)");
  });
  const notes = async () =>
    rowsOf<{ id: number; note: string | null; doc: unknown }>(
      await ctx.database.db.execute(sql`select id, note, doc from copy_t order by id`),
    );

  it("loads text-format rows, chunks split anywhere, escapes and NULL as COPY defines them", async () => {
    await ctx.database.db.transaction(async (tx) => {
      await copyIn(tx, "copy_t", ["id", "note", "doc"], ['1\ta\\tb\\\\c\t{"k": ', "1}\n2\t\\N\t\\N\n"]);
    });
    expect(await notes()).toEqual([
      { id: 1, note: "a\tb\\c", doc: { k: 1 } },
      { id: 2, note: null, doc: null },
    ]);
  });

  it("rejects with the server's error, and a savepoint lets the transaction go on", async () => {
    await ctx.database.db.transaction(async (tx) => {
      const failed = await tx
        .transaction((sp) => copyIn(sp, "copy_t", ["id", "note"], ["3\tnew\n1\tdup\n"]))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failed).toMatchObject({ code: "23505" });
      await copyIn(tx, "copy_t", ["id", "note"], ["3\tafter\n"]);
    });
    expect((await notes()).map((r) => r.note)).toEqual(["a\tb\\c", null, "after"]);
  });

  it("rejects data that is not COPY text", async () => {
    const failed = await ctx.database.db
      .transaction((tx) => copyIn(tx, "copy_t", ["id", "note"], ["not-a-number\tx\n"]))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toMatchObject({ code: "22P02" });
    expect(await notes()).toHaveLength(3);
  });
});
