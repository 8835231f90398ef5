import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { copyIn } from "../../db/copy.ts";
import { rowsOf } from "../../db/rows.ts";
import { SPAN_COLUMNS } from "./copy-text.ts";

/** A claimed batch as the writer hands it over: its rows in COPY text. */
export interface QueuedRows {
  id: number;
  /** Its spans: the lines of `rows`. */
  count: number;
  rows: string;
}

/**
 * Writes claimed batches (span_batches rows, current format) to `spans` and their resources to
 * span_resources, in the caller's transaction. The rows go in by COPY, as prepared at acceptance:
 * the database parses each field once, and nothing unpacks the rows from JSON. A client retry is a unique violation for COPY, so the COPY runs in a savepoint:
 * when it is refused, the rows are copied into a temporary table instead and inserted from there
 * with ON CONFLICT DO NOTHING, in one global order. (COPY keeps each batch's own order: writers of
 * two processes copying overlapping retries at once can deadlock; PostgreSQL aborts one, and the
 * writer retries its batches one by one.) Returns how many spans were new, and which of `watched`
 * (project:trace:span keys) were among them. The same code runs on postgres.js and PGlite.
 */
export async function writeQueuedBatches(
  tx: Db,
  batches: QueuedRows[],
  watched: string[],
): Promise<{ stored: number; fresh: Set<string> }> {
  const ids = batches.map((b) => b.id);
  // One row per (project, day, resource) whichever batch brought it, in one global order.
  await tx.execute(sql`
    insert into span_resources (project_id, day, id, resource, scope)
    select distinct on (b.project_id, d.day, x->>0) b.project_id, d.day::date, (x->>0)::uuid, x->2, x->3
    from span_batches b, jsonb_array_elements(b.resources::jsonb) as x,
      jsonb_array_elements_text(x->1) as d(day)
    where b.id in ${ids}
    order by b.project_id, d.day, x->>0
    on conflict do nothing`);
  const texts = batches.map((b) => b.rows);
  const copied = await tx
    .transaction((sp) => copyIn(sp, "spans", SPAN_COLUMNS, texts))
    .then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: string })?.code === "23505") return false;
        throw error;
      },
    );
  if (copied) {
    return { stored: batches.reduce((n, b) => n + b.count, 0), fresh: new Set(watched) };
  }
  await tx.execute(sql`create temporary table spans_in (like spans including defaults) on commit drop`);
  await copyIn(tx, "spans_in", SPAN_COLUMNS, texts);
  const [row] = rowsOf<{ stored: number; fresh: string[] }>(
    await tx.execute(sql`
      with ins as (
        insert into spans select * from spans_in order by project_id, trace_id, span_id
        on conflict do nothing
        returning project_id, trace_id, span_id
      )
      select count(*)::int as stored,
        coalesce(array_agg(k) filter (where k = any(string_to_array(${watched.join(",")}, ','))), '{}') as fresh
      from (select project_id::text || ':' || trace_id || ':' || span_id as k from ins) as keys`),
  );
  return { stored: row?.stored ?? 0, fresh: new Set(row?.fresh ?? []) };
}
