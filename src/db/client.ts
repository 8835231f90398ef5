import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./lock.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/**
 * One database handle for the whole process, whichever engine is behind it.
 * `db` is the Drizzle API; `query` runs raw SQL and always returns rows (the two drivers differ there);
 * `sql` is the driver-level escape hatch for hot paths (COPY, bulk insert) that need the engine.
 */
export interface Database {
  kind: "pglite" | "postgres";
  db: Db;
  query<T = Record<string, unknown>>(statement: SQL): Promise<T[]>;
  /** Raw SQL text with $1.. parameters: the shape pg-boss and hand-tuned bulk statements use. */
  execute<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  pglite?: PGlite;
  postgres?: postgres.Sql;
  /** The server URL (postgres kind only). */
  url?: string;
}

export interface OpenOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string;
  /** Data directory for the embedded database; absent → in memory. */
  dataDir?: string;
  poolSize?: number;
  /** Server only: backend_flush_after for every connection (default 256kB; "0": the server's own). */
  backendFlushAfter?: string;
  /** Server only: statement_timeout of every connection, in seconds (0: none). */
  statementTimeout?: number;
  /** Server only: seconds to wait for a connection. */
  connectTimeout?: number;
  /** Embedded only: start from a dump made by `pglite.dumpDataDir()` (e.g. an already migrated database). */
  loadDataDir?: Blob;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url
    ? openPostgres(options.url, {
        max: options.poolSize ?? 10,
        backendFlushAfter: options.backendFlushAfter ?? "256kB",
        statementTimeout: options.statementTimeout ?? 0,
        connectTimeout: options.connectTimeout ?? 10,
      })
    : openPglite(options.dataDir, options.loadDataDir);
}

async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir ?? "memory://", { extensions: { vector }, loadDataDir });
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  let closed = false;
  return {
    kind: "pglite",
    db,
    pglite: client,
    async query<T>(statement: SQL) {
      const result = await db.execute(statement);
      return (result as unknown as { rows: T[] }).rows;
    },
    async execute<T>(text: string, params?: unknown[]) {
      if (!params?.length && hasManyStatements(text)) {
        const results = await client.exec(text);
        return (results.at(-1)?.rows ?? []) as T[];
      }
      return (await client.query<T>(text, params)).rows;
    },
    async ping() {
      if (closed) throw new Error("database is closed");
      await client.query("select 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

async function openPostgres(
  url: string,
  o: { max: number; backendFlushAfter: string; statementTimeout: number; connectTimeout: number },
): Promise<Database> {
  const { max, backendFlushAfter } = o;
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: o.connectTimeout,
    // PostgreSQL leaves backend_flush_after off by default: the pages a backend writes out (the
    // span writer evicts many) stay dirty in the kernel's cache until the checkpoint's fsync, which
    // then stalls every commit — an OTLP export's too — at sustained ingest rates. Asking the
    // kernel to write them out as they go removes those stalls (bench/README.md). It is
    // a startup parameter, so every connection of this pool has it from its start (pg-boss keeps
    // its own small pool: its writes are small); the same parameter in the URL's query wins.
    connection: {
      ...(backendFlushAfter.trim() === "0" ? {} : { backend_flush_after: backendFlushAfter }),
      ...(o.statementTimeout > 0 ? { statement_timeout: o.statementTimeout * 1000 } : {}),
    },
    // After failed connects postgres.js waits 3^n/100 s (up to 20 s) before the next: during an
    // outage the span writer's retries and exporters' retries push it to the cap, and Vigil would
    // stay down up to 20 s after the database is back. Capped at 2 s instead.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
    // jsonb and arrays come back parsed; timestamps as Date.
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    postgres: client,
    url,
    async query<T>(statement: SQL) {
      return (await db.execute(statement)) as unknown as T[];
    },
    async execute<T>(text: string, params?: unknown[]) {
      if (!params?.length && hasManyStatements(text)) {
        return (await client.unsafe(text).simple()) as unknown as T[];
      }
      return (await client.unsafe(
        text,
        (params ?? []) as postgres.ParameterOrJSON<never>[],
      )) as unknown as T[];
    },
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** Cheap check for "a script of several statements" (pg-boss sends those without parameters). */
function hasManyStatements(text: string): boolean {
  const trimmed = text.trim().replace(/;\s*$/, "");
  return trimmed.includes(";");
}
