import { z } from "@hono/zod-openapi";
import { NODE_KINDS, type NodeInfo } from "./impact-paths.ts";

/**
 * The lineage around one dataset: what it is made from (upstream) and what is made from it
 * (downstream), a few hops each way, with the edges between those nodes and their field-level edges.
 * Pure: the recursive walks are in lineage-graph-store.ts; this keeps the nearest nodes within the
 * caps and only the edges whose both ends were kept, so the answer is bounded and self-consistent.
 */

/** Default and largest `depth` (hops; dataset → job → dataset is two). */
export const DEFAULT_LINEAGE_DEPTH = 2;
export const MAX_LINEAGE_DEPTH = 5;
/** Nodes kept per direction (nearest first); more is reported as truncated. */
export const MAX_LINEAGE_NODES = 300;
/** Field-level edges kept; more is reported as truncated. */
export const MAX_FIELD_EDGES = 5_000;

const NodeKindSchema = z.enum(NODE_KINDS);

export const LineageNodeSchema = z
  .object({
    id: z.string().openapi({ description: "Opaque node id: what `edges` and `fieldEdges` refer to" }),
    kind: NodeKindSchema,
    namespace: z.string(),
    name: z.string(),
    depth: z.number().int().openapi({ description: "Hops from the dataset on the shortest path" }),
  })
  .openapi("LineageNode");
export type LineageNode = z.infer<typeof LineageNodeSchema>;

const FieldEnd = z.object({
  node: z.string(),
  field: z.string().openapi({ description: "'' = the whole node (a model reading the whole dataset)" }),
});

export const LineageGraphSchema = z
  .object({
    dataset: z.object({ id: z.string(), namespace: z.string(), name: z.string() }),
    depth: z.number().int(),
    upstream: z.array(LineageNodeSchema).openapi({
      description: "Nodes the dataset is made from, nearest first. A node on a cycle is in both lists.",
    }),
    downstream: z
      .array(LineageNodeSchema)
      .openapi({ description: "Nodes made from the dataset, nearest first" }),
    edges: z
      .array(z.object({ from: z.string(), to: z.string() }))
      .openapi({ description: "Node-level edges between the dataset and the listed nodes" }),
    fieldEdges: z
      .array(
        z.object({
          from: FieldEnd,
          to: FieldEnd,
          via: z
            .string()
            .nullable()
            .openapi({ description: "The job the field-level edge goes through (columnLineage)" }),
          transformations: z.array(z.unknown()),
        }),
      )
      .openapi({ description: "Field-level edges between the dataset and the listed nodes" }),
    truncated: z.boolean().openapi({ description: "Nodes or field edges were cut at their caps" }),
  })
  .openapi("LineageGraph");
export type LineageGraph = z.infer<typeof LineageGraphSchema>;

/** A node reached by a walk, at its shortest depth. */
export interface ReachedRow extends NodeInfo {
  direction: "upstream" | "downstream";
  depth: number;
}

export interface FieldEdgeRow {
  fromNode: string;
  fromField: string;
  toNode: string;
  toField: string;
  via: string | null;
  transformations: unknown[];
}

const KIND_ORDER = { dataset: 0, job: 1, model: 2 } as const;
const byDistance = (a: LineageNode, b: LineageNode) =>
  a.depth - b.depth ||
  KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
  a.namespace.localeCompare(b.namespace) ||
  a.name.localeCompare(b.name);

/**
 * Keeps each direction's nearest `MAX_LINEAGE_NODES` nodes (the dataset itself is never listed: a
 * cycle leads back to it), and the node and field edges whose both ends are kept.
 */
export function assembleLineageGraph(input: {
  dataset: NodeInfo;
  depth: number;
  reached: ReachedRow[];
  edges: { from: string; to: string }[];
  fieldEdges: FieldEdgeRow[];
  /** The queries stopped early (their own caps). */
  capped?: boolean;
}): LineageGraph {
  let truncated = input.capped ?? false;
  const side = (direction: ReachedRow["direction"]) => {
    const best = new Map<string, LineageNode>();
    for (const r of input.reached) {
      if (r.direction !== direction || r.id === input.dataset.id) continue;
      const prev = best.get(r.id);
      if (!prev || r.depth < prev.depth)
        best.set(r.id, { id: r.id, kind: r.kind, namespace: r.namespace, name: r.name, depth: r.depth });
    }
    const sorted = [...best.values()].sort(byDistance);
    if (sorted.length > MAX_LINEAGE_NODES) truncated = true;
    return sorted.slice(0, MAX_LINEAGE_NODES);
  };
  const upstream = side("upstream");
  const downstream = side("downstream");
  const kept = new Set([input.dataset.id, ...upstream.map((n) => n.id), ...downstream.map((n) => n.id)]);
  const seen = new Set<string>();
  const edges: LineageGraph["edges"] = [];
  for (const e of input.edges) {
    const k = `${e.from}|${e.to}`;
    if (e.from === e.to || seen.has(k) || !kept.has(e.from) || !kept.has(e.to)) continue;
    seen.add(k);
    edges.push({ from: e.from, to: e.to });
  }
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const fields = input.fieldEdges
    .filter((e) => kept.has(e.fromNode) && kept.has(e.toNode) && (e.via === null || kept.has(e.via)))
    .map((e) => ({
      from: { node: e.fromNode, field: e.fromField },
      to: { node: e.toNode, field: e.toField },
      via: e.via,
      transformations: e.transformations,
    }));
  if (fields.length > MAX_FIELD_EDGES) truncated = true;
  return {
    dataset: { id: input.dataset.id, namespace: input.dataset.namespace, name: input.dataset.name },
    depth: input.depth,
    upstream,
    downstream,
    edges,
    fieldEdges: fields.slice(0, MAX_FIELD_EDGES),
    truncated,
  };
}
