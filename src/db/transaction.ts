import type { PgTransactionConfig } from "drizzle-orm/pg-core";
import type { Db } from "./client.ts";

/**
 * Runs `fn` in a transaction (a savepoint when `db` is one already) and hands it the transaction
 * as a Db, so store functions take either a database or a transaction alike. Rolled back when
 * `fn` throws.
 */
export function withTransaction<T>(
  db: Db,
  fn: (tx: Db) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  return db.transaction((tx) => fn(tx), config);
}
