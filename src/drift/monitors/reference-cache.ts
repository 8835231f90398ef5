/**
 * The reference side of a run, cached per monitor: a closed time range, a model version or an
 * uploaded set does not change between scheduled runs, so its aggregate scan and sample are kept
 * (monitor_reference_cache) and later runs scan only the current window. The key covers everything
 * the data depends on (reference spec, counted columns, cap, seed, the monitor's last update); a
 * cache older than the TTL is rebuilt, which picks up late rows. A range that is still open is
 * never cached.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { Monitor } from "./model.ts";
import {
  type SampledRow,
  sampleWindow,
  type WindowAggregates,
  type WindowSource,
  windowAggregates,
} from "./store.ts";

export const REFERENCE_CACHE_TTL_SECONDS = 6 * 3600;

export interface ReferenceData {
  agg: WindowAggregates;
  sample: SampledRow[];
  labeled: SampledRow[] | null;
  cachedAt: string | null;
}

type Row = {
  key: string;
  computed_at: Date | string;
  aggregates: SerialAgg;
  sample: SampledRow[];
  labeled: SampledRow[] | null;
};
type SerialAgg = { rows: number; labeled: number; counts: Record<string, [string | null, number][]> };

const serialize = (a: WindowAggregates): SerialAgg => ({
  rows: a.rows,
  labeled: a.labeled,
  counts: Object.fromEntries([...a.counts].map(([k, m]) => [k, [...m]])),
});
const deserialize = (a: SerialAgg): WindowAggregates => ({
  rows: a.rows,
  labeled: a.labeled,
  counts: new Map(Object.entries(a.counts).map(([k, pairs]) => [k, new Map(pairs)])),
});

export function cacheable(m: Monitor, now: Date): boolean {
  return m.reference.kind !== "range" || Date.parse(m.reference.to) <= now.getTime();
}

export async function referenceData(
  db: Db,
  m: Monitor,
  w: WindowSource,
  columns: readonly { name: string; output: boolean }[],
  cap: number,
  seed: number,
  now: Date,
): Promise<ReferenceData> {
  const useCache = cacheable(m, now);
  const key = createHash("sha256")
    .update(JSON.stringify({ reference: m.reference, columns, cap, seed, updatedAt: m.updatedAt }))
    .digest("hex");
  if (useCache) {
    const rows = (await db.execute(
      sql`select key, computed_at, aggregates, sample, labeled from monitor_reference_cache
          where monitor_id = ${m.id}::uuid and key = ${key}
            and computed_at > ${new Date(now.getTime() - REFERENCE_CACHE_TTL_SECONDS * 1000).toISOString()}::timestamptz`,
    )) as unknown;
    const [hit] = (Array.isArray(rows) ? rows : (rows as { rows: Row[] }).rows) as Row[];
    if (hit) {
      return {
        agg: deserialize(hit.aggregates),
        sample: hit.sample,
        labeled: hit.labeled,
        cachedAt: new Date(hit.computed_at).toISOString(),
      };
    }
  }
  const agg = await windowAggregates(db, w, columns);
  const [sample, labeled] = await Promise.all([
    sampleWindow(db, w, agg.rows, cap, seed),
    agg.labeled > 0 ? sampleWindow(db, w, agg.labeled, cap, seed, true) : Promise.resolve(null),
  ]);
  if (useCache) {
    await db.execute(
      sql`insert into monitor_reference_cache (monitor_id, key, computed_at, aggregates, sample, labeled)
          values (${m.id}::uuid, ${key}, ${now.toISOString()}::timestamptz, ${JSON.stringify(serialize(agg))}::jsonb,
                  ${JSON.stringify(sample)}::jsonb, ${labeled === null ? null : JSON.stringify(labeled)}::jsonb)
          on conflict (monitor_id) do update set key = excluded.key, computed_at = excluded.computed_at,
            aggregates = excluded.aggregates, sample = excluded.sample, labeled = excluded.labeled`,
    );
  }
  return { agg, sample, labeled, cachedAt: null };
}
