import { afterAll, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// backend_flush_after is a per-connection setting sent at startup: only the server variant has it.
describeEachDatabase(
  "server connections",
  (db) => {
    const opened: Database[] = [];
    const open = async (backendFlushAfter?: string) => {
      const database = await openDatabase({ url: db.url!, poolSize: 2, backendFlushAfter });
      opened.push(database);
      return database;
    };
    const flushAfter = async (database: Database) =>
      (await database.execute<{ v: string }>("select current_setting('backend_flush_after') as v"))[0]?.v;
    afterAll(async () => {
      for (const d of opened) await d.close();
    });

    it("ask the kernel to write dirty pages as they go (backend_flush_after 256kB by default)", async () => {
      expect(await flushAfter(await open())).toBe("256kB");
      expect(await flushAfter(await open("1MB"))).toBe("1MB");
    });

    it('keep the server\'s own setting with "0"', async () => {
      const source = async (database: Database) =>
        (
          await database.execute<{ source: string }>(
            "select source from pg_settings where name = 'backend_flush_after'",
          )
        )[0]?.source;
      expect(await source(await open())).toBe("client");
      expect(await source(await open("0"))).not.toBe("client");
    });
  },
  ["postgres"],
);
