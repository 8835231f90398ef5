import { type SQL, sql } from "drizzle-orm";
import type { Database } from "./client.ts";

/**
 * Deletes the rows of `table` matching `where`, `batchSize` rows per statement, until none is left:
 * each statement is its own short transaction, so retention on a big table never holds locks (or a
 * snapshot) for long, and ingest keeps running beside it. Rows are picked by ctid, which every table
 * has (a ctid that moved under a concurrent update is simply caught by the next run).
 */
export async function deleteInBatches(
  database: Database,
  table: string,
  where: SQL,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<{ deleted: number; batches: number }> {
  const batchSize = options.batchSize ?? 5000;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const t = sql.identifier(table);
  let deleted = 0;
  let batches = 0;
  while (batches < maxBatches) {
    const rows = await database.query<{ n: number }>(
      sql`with gone as (
            delete from ${t} where ctid = any(array(select ctid from ${t} where ${where} limit ${batchSize}))
            returning 1)
          select count(*)::int as n from gone`,
    );
    const n = rows[0]?.n ?? 0;
    batches++;
    deleted += n;
    if (n < batchSize) break;
  }
  return { deleted, batches };
}

/**
 * Retention: deletes, in batches as above, the rows of `table` whose timestamp `column` is more than
 * `days` days before `now`. `days` ≤ 0 keeps everything. Returns the rows deleted.
 */
export async function deleteOlderThan(
  database: Database,
  table: string,
  column: string,
  days: number,
  options: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date((options.now ?? new Date()).getTime() - days * 86_400_000).toISOString();
  const r = await deleteInBatches(database, table, sql`${sql.identifier(column)} < ${cutoff}::timestamptz`, {
    batchSize: options.batchSize ?? 5000,
  });
  return r.deleted;
}
