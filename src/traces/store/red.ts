import type { Database } from "../../db/client.ts";
import { type ServiceStats, type ServiceStatsRow, toServiceStats } from "./queries.ts";

export interface ServiceRed {
  /** Per service over the whole window: what serviceStats gives for [from, to). */
  services: ServiceStats[];
  /** Per bucket [edges[i], edges[i + 1]): the services with requests in it. */
  buckets: ServiceStats[][];
}

/**
 * Per service the window's totals and, per bucket between `edges`, the same statistics
 * serviceStats computes for that bucket alone (entry spans; requests, errors, percentiles by
 * percentile_cont): one scan of the window instead of one query per bucket, the buckets found by
 * width_bucket over the edges, the totals by a second grouping set of the same rows.
 */
export async function serviceRed(
  database: Database,
  projectId: string,
  edges: Date[],
  service?: string,
): Promise<ServiceRed> {
  const params: unknown[] = [
    projectId,
    edges[0]!.toISOString(),
    edges.at(-1)!.toISOString(),
    `{${edges.map((e) => e.toISOString()).join(",")}}`,
  ];
  if (service !== undefined) params.push(service);
  const rows = await database.execute<ServiceStatsRow & { bucket: number | null }>(
    `select service, case when grouping(bucket) = 0 then bucket end as bucket,
            count(*) as requests, count(*) filter (where status_code = 2) as errors,
            percentile_cont(array[0.5, 0.95, 0.99]) within group (order by duration_ns::float8 / 1e6) as p
       from (select service, status_code, duration_ns, width_bucket(start_time, $4::timestamptz[]) as bucket
               from spans
              where project_id = $1 and start_time >= $2 and start_time < $3
                and (kind in (2, 5) or parent_span_id is null)
                ${service !== undefined ? "and service = $5" : ""}) entry
      group by grouping sets ((service), (service, bucket))
      order by service`,
    params,
  );
  const services: ServiceStats[] = [];
  const buckets: ServiceStats[][] = Array.from({ length: edges.length - 1 }, () => []);
  for (const r of rows) {
    // width_bucket numbers the window's buckets 1..n (0 and n+1 are outside, excluded by the where).
    if (r.bucket === null) services.push(toServiceStats(r));
    else buckets[Number(r.bucket) - 1]!.push(toServiceStats(r));
  }
  return { services, buckets };
}
