import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createSpanWriter } from "../../src/traces/store/writer.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { TcpProxy } from "../traces/tcp-proxy.ts";

describeEachDatabase(
  "database timeouts",
  (db) => {
    const proxy = new TcpProxy("127.0.0.1", 5432);
    let database: Database;
    beforeAll(async () => {
      const url = new URL(db.url!);
      url.port = String(await proxy.start());
      database = await openDatabase({ url: url.toString(), poolSize: 2, statementTimeout: 1 });
    });
    afterAll(async () => {
      proxy.thaw();
      await database.close();
      await proxy.stop();
    });

    it("a statement running past VIGIL_DB_STATEMENT_TIMEOUT is cancelled by the server", async () => {
      const error = await database.db.execute(sql`select pg_sleep(3)`).catch((e: { cause?: unknown }) => e);
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toMatch(/57014|statement timeout/);
      expect(await database.query(sql`select 1 as ok`)).toEqual([{ ok: 1 }]);
    });

    it("/readyz answers 503 within its timeout while the database is frozen, 200 once it thaws", async () => {
      const config = loadConfig({ VIGIL_READY_TIMEOUT: "1" });
      const log = pino({ level: "silent" });
      const spanWriter = createSpanWriter(database, log, config); // never started
      const app = buildApp({ config, database, log, jobs: undefined as never }, { spanWriter });
      proxy.freeze();
      const started = performance.now();
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(res.headers.get("retry-after")).toBe("5");
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body.error).toEqual({ code: "database_unavailable", message: "The database does not answer" });
      proxy.thaw();
      expect((await app.request("/readyz")).status).toBe(200);
    });
  },
  ["postgres"],
);
