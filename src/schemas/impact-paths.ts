import { z } from "@hono/zod-openapi";

/**
 * Turns the rows of the impact walk (one per reached (node, field) state, with the path that got
 * there) into one entry per downstream node. Pure, so the grouping and shortest-path choice are
 * unit-tested without a database; the walk itself is the recursive query in impact-store.ts.
 */

export const NODE_KINDS = ["dataset", "job", "model"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export interface NodeInfo {
  id: string;
  kind: NodeKind;
  namespace: string;
  name: string;
}

/** One step of a walk path as the query returns it: node ids, '' field = the whole node. */
export interface RawStep {
  node: string;
  field: string;
  via: string | null;
}

export interface WalkRow {
  node: string;
  field: string;
  via: string | null;
  depth: number;
  path: RawStep[];
}

export const PathStepSchema = z
  .object({
    kind: z.enum(NODE_KINDS),
    namespace: z.string(),
    name: z.string(),
    field: z.string().optional().openapi({ description: "Absent: the whole dataset/job/model" }),
    via: z
      .object({ namespace: z.string(), name: z.string() })
      .optional()
      .openapi({ description: "The job a field-level edge goes through (OpenLineage columnLineage)" }),
  })
  .openapi("LineagePathStep");
export type PathStep = z.infer<typeof PathStepSchema>;

export const ImpactedNodeSchema = z
  .object({
    kind: z.enum(NODE_KINDS),
    namespace: z.string(),
    name: z.string(),
    fields: z.array(z.string()).openapi({
      description:
        "The node's fields that read the changed fields; empty when the whole node depends on them",
    }),
    depth: z.number().int().openapi({ description: "Edges from the source on the shortest path" }),
    path: z
      .array(PathStepSchema)
      .openapi({ description: "Shortest path from the source field to this node" }),
  })
  .openapi("ImpactedNode");
export type ImpactedNode = z.infer<typeof ImpactedNodeSchema>;

function step(nodes: Map<string, NodeInfo>, raw: RawStep): PathStep | undefined {
  const n = nodes.get(raw.node);
  if (!n) return undefined;
  const s: PathStep = { kind: n.kind, namespace: n.namespace, name: n.name };
  if (raw.field !== "") s.field = raw.field;
  const via = raw.via ? nodes.get(raw.via) : undefined;
  if (via) s.via = { namespace: via.namespace, name: via.name };
  return s;
}

const KIND_ORDER: Record<NodeKind, number> = { dataset: 0, job: 1, model: 2 };

/**
 * Groups walk rows by node. A field-level edge through a job also makes that job impacted (it reads
 * the field), with the path up to the step before it. The source node itself is left out (a cycle
 * leads back to it). Sorted by depth, then kind, then name, so the answer is stable.
 */
export function summarizeImpact(
  rows: WalkRow[],
  nodes: Map<string, NodeInfo>,
  sourceId: string,
): ImpactedNode[] {
  interface Acc {
    node: NodeInfo;
    fields: Set<string>;
    whole: boolean;
    depth: number;
    path: RawStep[];
  }
  const acc = new Map<string, Acc>();
  const reach = (id: string, field: string, depth: number, path: RawStep[]) => {
    if (id === sourceId) return;
    const node = nodes.get(id);
    if (!node) return;
    let a = acc.get(id);
    if (!a) {
      a = { node, fields: new Set(), whole: false, depth, path };
      acc.set(id, a);
    } else if (depth < a.depth || (depth === a.depth && path.length < a.path.length)) {
      a.depth = depth;
      a.path = path;
    }
    if (field === "") a.whole = true;
    else a.fields.add(field);
  };
  for (const r of rows) {
    reach(r.node, r.field, r.depth, r.path);
    // The job a column-lineage edge goes through reads the upstream field.
    if (r.via) reach(r.via, "", r.depth, [...r.path.slice(0, -1), { node: r.via, field: "", via: null }]);
  }
  const out: ImpactedNode[] = [];
  for (const a of acc.values()) {
    const path = a.path.map((s) => step(nodes, s)).filter((s): s is PathStep => s !== undefined);
    out.push({
      kind: a.node.kind,
      namespace: a.node.namespace,
      name: a.node.name,
      // A job or model depends as a whole; a dataset lists the fields reached unless all of it is.
      fields: a.whole || a.node.kind !== "dataset" ? [] : [...a.fields].sort(),
      depth: a.depth,
      path,
    });
  }
  return out.sort(
    (x, y) =>
      x.depth - y.depth ||
      KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
      x.namespace.localeCompare(y.namespace) ||
      x.name.localeCompare(y.name),
  );
}
