import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/rows.ts";
import type { NodeInfo } from "./impact-paths.ts";
import {
  assembleLineageGraph,
  type FieldEdgeRow,
  type LineageGraph,
  MAX_FIELD_EDGES,
  MAX_LINEAGE_NODES,
  type ReachedRow,
} from "./lineage-graph.ts";

/**
 * The lineage around a dataset, `depth` hops each way (see lineage-graph.ts for the answer).
 *
 * Two recursive walks over `lineage_edges`, one per direction, at node level. A field-level edge
 * that goes through a job (`via_job`) is taken as the hop to that job: OpenLineage ingestion stores
 * the dataset-level edges input → job → output beside the column lineage, so the job's other side is
 * reached from there, and the graph keeps the job between the datasets as OpenLineage sees it.
 * Each walk's rows are (node, depth) under UNION, so a cycle adds each node at most once per depth
 * and stops at the depth bound; the shortest depth per node is kept. Every step is filtered by the
 * project, as every read of the graph is.
 */
export async function lineageAround(
  db: Db,
  projectId: string,
  dataset: NodeInfo,
  depth: number,
): Promise<LineageGraph> {
  const reached = rowsOf<ReachedRow>(
    await db.execute(sql`
      with recursive
      down(node, depth) as (
        select ${dataset.id}::uuid, 0
        union
        select coalesce(e.via_job, e.to_node), d.depth + 1
        from down d
        join lineage_edges e on e.project_id = ${projectId} and e.from_node = d.node
        where d.depth < ${depth}
      ),
      up(node, depth) as (
        select ${dataset.id}::uuid, 0
        union
        select coalesce(e.via_job, e.from_node), u.depth + 1
        from up u
        join lineage_edges e on e.project_id = ${projectId} and e.to_node = u.node
        where u.depth < ${depth}
      ),
      reached as (
        select 'downstream' as direction, node, min(depth) as depth from down where depth > 0 group by node
        union all
        select 'upstream', node, min(depth) from up where depth > 0 group by node
      ),
      ranked as (
        select r.direction, n.id::text as id, n.kind, n.namespace, n.name, r.depth::int as depth,
          row_number() over (partition by r.direction order by r.depth, n.kind, n.namespace, n.name) as rank
        from reached r
        join lineage_nodes n on n.id = r.node and n.project_id = ${projectId}
        where r.node <> ${dataset.id}::uuid
      )
      select direction, id, kind, namespace, name, depth from ranked
      where rank <= ${MAX_LINEAGE_NODES + 1}
    `),
  ).map((r) => ({ ...r, depth: Number(r.depth) }));
  const ids = [dataset.id, ...new Set(reached.map((r) => r.id))];
  const idArray = sql`array[${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
  // The node-level edges among those nodes, with a via-job field edge read as its two hops.
  const edges = rowsOf<{ from: string; to: string }>(
    await db.execute(sql`
      select distinct e.from_node::text as "from", coalesce(e.via_job, e.to_node)::text as "to"
      from lineage_edges e
      where e.project_id = ${projectId} and e.from_node = any(${idArray})
        and coalesce(e.via_job, e.to_node) = any(${idArray})
      union
      select distinct e.via_job::text, e.to_node::text
      from lineage_edges e
      where e.project_id = ${projectId} and e.to_node = any(${idArray}) and e.via_job = any(${idArray})
    `),
  );
  const fieldEdges = rowsOf<FieldEdgeRow>(
    await db.execute(sql`
      select e.from_node::text as "fromNode", e.from_field as "fromField", e.to_node::text as "toNode",
        e.to_field as "toField", e.via_job::text as via, e.transformations
      from lineage_edges e
      where e.project_id = ${projectId} and e.from_node = any(${idArray}) and e.to_node = any(${idArray})
        and (e.from_field <> '' or e.to_field <> '')
      order by e.to_node, e.to_field, e.from_node, e.from_field, e.id
      limit ${MAX_FIELD_EDGES + 1}
    `),
  );
  return assembleLineageGraph({
    dataset,
    depth,
    capped: fieldEdges.length > MAX_FIELD_EDGES,
    reached,
    edges,
    fieldEdges: fieldEdges.map((e) => ({
      ...e,
      transformations: Array.isArray(e.transformations) ? e.transformations : [],
    })),
  });
}
