import postgres from "postgres";
import type { Database } from "./client.ts";

/** Arbitrary constant: serialises the start-up writes of processes that start together. */
const STARTUP_LOCK = 7_106_951_111;

/**
 * Runs `fn` while holding a database-wide advisory lock, so Vigil processes started at once on the
 * same server database do their start-up writes (the first project and key, pg-boss's queues —
 * whose creation deadlocks when run concurrently) one after the other. The lock is held by a
 * connection of its own for the duration. The embedded database belongs to one process: no lock.
 */
export async function withStartupLock<T>(database: Database, fn: () => Promise<T>): Promise<T> {
  if (database.kind === "pglite" || !database.url) return fn();
  const conn = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await conn`select pg_advisory_lock(${STARTUP_LOCK})`;
    return await fn();
  } finally {
    await conn.end({ timeout: 5 });
  }
}
