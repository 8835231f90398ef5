import { inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { lineageNodes } from "../db/schema/index.ts";
import {
  buildWalk,
  type ImpactedNode,
  type NodeInfo,
  type ParentRow,
  summarizeImpact,
} from "./impact-paths.ts";

/** Longest path followed; lineage deeper than this is reported as truncated. */
export const MAX_IMPACT_DEPTH = 32;
/** Walk states read at most; a dense graph with many parallel paths stops here (truncated). */
export const MAX_IMPACT_ROWS = 20_000;

export interface ImpactResult {
  impacted: ImpactedNode[];
  truncated: boolean;
}

/**
 * Everything downstream of `fields` of a dataset ('' or no fields = the whole dataset).
 *
 * The walk is over (node, field) states. From a state, an edge applies when:
 * - it is field-level (`from_field` set) and names that field, a parent of it (`address` for
 *   `address.city`) or a child of it — or the state is the whole node;
 * - it is dataset-level (`from_field` '') and not *superseded*: a dataset → job edge is superseded
 *   when that job also has column lineage from the dataset, because then the column lineage says
 *   precisely which fields it reads. Where no column lineage exists, the job and everything it
 *   writes depend on the whole dataset (the fallback). Job → dataset and dataset → model edges
 *   without fields are never superseded.
 * The query is a breadth-first walk with parent pointers (UNION drops repeated rows), so diamonds do
 * not multiply paths: rows are bounded by edges × depth. A cycle repeats its states once per layer
 * until the depth cap, which bounds it; paths are rebuilt from the shallowest occurrence of each state
 * (buildWalk), so they never loop.
 */
export async function impactOf(
  db: Db,
  projectId: string,
  datasetId: string,
  fields: string[],
): Promise<ImpactResult> {
  const seeds = fields.length > 0 ? fields : [""];
  const seedArray = sql`array[${sql.join(
    seeds.map((f) => sql`${f}`),
    sql`, `,
  )}]::text[]`;
  const result = (await db.execute(sql`
    with recursive
    walk(node, field, via, depth, parent_node, parent_field) as (
      select ${datasetId}::uuid, s.field, null::uuid, 0, ${datasetId}::uuid, s.field
      from unnest(${seedArray}) as s(field)
      union
      select e.to_node, e.to_field, e.via_job, w.depth + 1, w.node, w.field
      from walk w
      join lineage_edges e on e.project_id = ${projectId} and e.from_node = w.node
      where w.depth < ${MAX_IMPACT_DEPTH}
        and (
          (e.from_field <> '' and (
            w.field = ''
            or e.from_field = w.field
            or left(w.field, length(e.from_field) + 1) = e.from_field || '.'
            or left(e.from_field, length(w.field) + 1) = w.field || '.'
          ))
          or (e.from_field = '' and not exists (
            select 1 from lineage_edges c
            where c.project_id = e.project_id and c.from_node = e.from_node
              and c.via_job = e.to_node and c.from_field <> ''
          ))
        )
    )
    select node::text as node, field, via::text as via, depth, parent_node::text as "parentNode",
      parent_field as "parentField"
    from walk where depth > 0
    limit ${MAX_IMPACT_ROWS + 1}
  `)) as unknown;
  const list = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as ParentRow[];
  const capped = list.length > MAX_IMPACT_ROWS;
  const built = buildWalk(
    list.slice(0, MAX_IMPACT_ROWS).map((r) => ({ ...r, depth: Number(r.depth) })),
    datasetId,
    seeds,
    MAX_IMPACT_DEPTH,
  );
  const walk = built.walk;
  const truncated = capped || built.truncated;
  const ids = new Set<string>([datasetId]);
  for (const r of walk) {
    ids.add(r.node);
    if (r.via) ids.add(r.via);
  }
  const nodes = new Map<string, NodeInfo>();
  {
    const infos = await db
      .select({
        id: lineageNodes.id,
        kind: lineageNodes.kind,
        namespace: lineageNodes.namespace,
        name: lineageNodes.name,
      })
      .from(lineageNodes)
      .where(inArray(lineageNodes.id, [...ids]));
    for (const n of infos) nodes.set(n.id, n as NodeInfo);
  }
  return { impacted: summarizeImpact(walk, nodes, datasetId), truncated };
}
