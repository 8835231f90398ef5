import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

export type DbKind = "pglite" | "postgres";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** Whether the Postgres server answers and has pgvector; CI must have it, a laptop may not. */
async function probePostgres(): Promise<string | undefined> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_available_extensions where name = 'vector'`;
    return rows.length ? undefined : "the server has no pgvector (run scripts/ensure-pgvector.sh)";
  } catch (error) {
    return `cannot reach ${TEST_DATABASE_URL}: ${(error as Error).message}`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const postgresProblem = await probePostgres();
if (postgresProblem && process.env.CI) {
  throw new Error(`CI needs the local Postgres for the second test run: ${postgresProblem}`);
}

/**
 * The migrated, empty embedded database dumped once per run by test/helpers/global-setup.ts: starting
 * PGlite from it skips initdb and the migrations, several times faster than a cold start.
 */
let pgliteTemplate: Promise<Blob> | undefined;
function migratedPgliteDump(): Promise<Blob> {
  pgliteTemplate ??= readFile(inject("pgliteTemplate")).then((bytes) => new Blob([new Uint8Array(bytes)]));
  return pgliteTemplate;
}

/** A migrated, empty database of the given kind; `drop` removes it. */
export async function freshDatabase(
  kind: DbKind,
): Promise<{ database: Database; url?: string; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const database = await openDatabase({ loadDataDir: await migratedPgliteDump() });
    await migrate(database); // a no-op unless the dump is stale
    return { database, drop: () => database.close() };
  }
  const name = `vigil_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 2 });
    },
  };
}

export interface DbContext {
  kind: DbKind;
  database: Database;
  /** Set on the server variant: the URL of this suite's own database. */
  url?: string;
}

/**
 * Runs the same suite on the embedded database and on the Postgres server, each in a fresh
 * database. Suite names carry `[pglite]` / `[postgres]`: the summary reporter counts by them.
 */
export function describeEachDatabase(
  name: string,
  body: (ctx: DbContext) => void,
  kinds: readonly DbKind[] = ["pglite", "postgres"],
): void {
  for (const kind of kinds) {
    const skip = kind === "postgres" ? postgresProblem : undefined;
    const title = skip ? `${name} [${kind}] (skipped: ${skip})` : `${name} [${kind}]`;
    (skip ? describe.skip : describe)(title, () => {
      const ctx = { kind } as DbContext;
      let drop: () => Promise<void> = async () => {};
      beforeAll(async () => {
        const fresh = await freshDatabase(kind);
        ctx.database = fresh.database;
        ctx.url = fresh.url;
        drop = fresh.drop;
      });
      afterAll(async () => drop());
      body(ctx);
    });
  }
}
