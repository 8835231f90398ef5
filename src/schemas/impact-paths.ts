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

/** A row of the recursive query: a state reached at a depth from a parent state (BFS layers). */
export interface ParentRow {
  node: string;
  field: string;
  via: string | null;
  depth: number;
  parentNode: string;
  parentField: string;
}

const stateKey = (node: string, field: string) => `${node}|${field}`;

/**
 * Rebuilds paths from the query's parent pointers. Each state keeps its first (shallowest)
 * occurrence; following first-occurrence parents strictly decreases depth, so every path is a
 * shortest one and the loop ends. `truncated` when a state first appears at the depth cap: the walk
 * stopped before looking past it. Rows that revisit a state (cycles, diamonds) are kept too, since
 * the job they go through still reads an impacted field.
 */
export function buildWalk(
  rows: ParentRow[],
  sourceId: string,
  seeds: string[],
  maxDepth: number,
): { walk: WalkRow[]; truncated: boolean } {
  const first = new Map<string, ParentRow>();
  for (const r of rows) {
    const k = stateKey(r.node, r.field);
    const prev = first.get(k);
    if (!prev || r.depth < prev.depth) first.set(k, r);
  }
  const seedSet = new Set(seeds.map((f) => stateKey(sourceId, f)));
  const memo = new Map<string, RawStep[]>();
  const pathTo = (node: string, field: string): RawStep[] => {
    const k = stateKey(node, field);
    const known = memo.get(k);
    if (known) return known;
    let path: RawStep[];
    const r = seedSet.has(k) ? undefined : first.get(k);
    if (!r) path = [{ node, field, via: null }];
    else path = [...pathTo(r.parentNode, r.parentField), { node, field, via: r.via }];
    memo.set(k, path);
    return path;
  };
  const walk = rows.map((r) => ({
    node: r.node,
    field: r.field,
    via: r.via,
    depth: r.depth,
    path: [...pathTo(r.parentNode, r.parentField), { node: r.node, field: r.field, via: r.via }],
  }));
  let truncated = false;
  for (const r of first.values())
    if (r.depth >= maxDepth && !seedSet.has(stateKey(r.node, r.field))) truncated = true;
  return { walk, truncated };
}

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
