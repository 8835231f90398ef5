import { expect, it } from "vitest";
import { bootstrapAuth } from "../../src/auth/store.ts";
import { migrate } from "../../src/db/migrate.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("migrations", (db) => {
  const snapshot = async () =>
    db.database.execute<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' order by table_name, column_name`,
    );

  it("create the tables and the vector extension", async () => {
    const tables = new Set((await snapshot()).map((r) => r.table_name));
    expect(tables).toContain("projects");
    expect(tables).toContain("api_keys");
    const ext = await db.database.execute("select extname from pg_extension where extname = 'vector'");
    expect(ext).toHaveLength(1);
    const [v] = await db.database.execute<{ d: number }>("select '[1,0]'::vector <=> '[0,1]'::vector as d");
    expect(Number(v?.d)).toBeCloseTo(1);
  });

  it("apply twice without change and keep data", async () => {
    await bootstrapAuth(db.database.db, "vgl_kept-across-migrations-000");
    const before = await snapshot();
    const applied = await db.database.execute("select * from drizzle.__drizzle_migrations");
    await migrate(db.database);
    await migrate(db.database);
    expect(await snapshot()).toEqual(before);
    expect(await db.database.execute("select * from drizzle.__drizzle_migrations")).toEqual(applied);
    expect(await db.database.execute("select * from projects where name = 'default'")).toHaveLength(1);
  });
});
