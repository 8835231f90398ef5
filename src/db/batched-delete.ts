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
