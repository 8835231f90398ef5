import { type Filters, isName, pickFilters } from "./query.ts";
import type { DatasetVersion } from "./types.ts";

export interface DatasetRef {
  namespace: string;
  name: string;
}

/** `/datasets/NAME?namespace=NS`: the dataset page's URL. */
export const datasetUrl = (d: DatasetRef, extra: Record<string, string> = {}) => {
  const params = new URLSearchParams({ namespace: d.namespace, ...extra });
  return `/datasets/${encodeURIComponent(d.name)}?${params}`;
};

/** The two versions to diff: from the URL when valid, else the latest version against the one before. */
export function diffVersions(
  query: Record<string, string | undefined>,
  latest: number,
): { from: number; to: number } | undefined {
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  const to = n(query.to) ?? latest;
  const from = n(query.from) ?? to - 1;
  if (from < 1 || to < 1 || from === to || from > latest || to > latest) return undefined;
  return { from, to };
}

export const datasetQuery = (query: Record<string, string | undefined>) =>
  pickFilters(query, { namespace: isName, field: isName });

export interface ImpactNode {
  kind: "dataset" | "job" | "model";
  namespace: string;
  name: string;
  fields: string[];
  depth: number;
  path: Array<{ kind: string; namespace: string; name: string; field?: string }>;
}

/** Downstream nodes grouped by distance from the dataset, nearest first: the lineage around it. */
export function lineageLevels(nodes: ImpactNode[]): Array<{ depth: number; nodes: ImpactNode[] }> {
  const levels = new Map<number, ImpactNode[]>();
  for (const n of nodes) levels.set(n.depth, [...(levels.get(n.depth) ?? []), n]);
  return [...levels.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([depth, list]) => ({
      depth,
      nodes: list.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)),
    }));
}

/** The version history newest first, with counts of breaking and other changes per version. */
export function versionRows(versions: DatasetVersion[]) {
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => ({
      ...v,
      breakingCount: v.changes.filter((c) => c.breaking).length,
      otherCount: v.changes.filter((c) => !c.breaking).length,
    }));
}

/** The dataset list's namespace filter and the API cursor of the page, from its URL. */
export function datasetListQuery(query: Record<string, string | undefined>): {
  filters: Filters;
  cursor?: string;
} {
  const filters = pickFilters(query, { namespace: isName });
  // The API's dataset cursor is base64url of the last (namespace, name): longer than isCursor's
  // bound when the names are long, and dropping it would send "Next" back to page one.
  const cursor = query.cursor && /^[A-Za-z0-9_-]{1,6000}$/.test(query.cursor) ? query.cursor : undefined;
  return { filters, cursor };
}

/** `GET /api/v1/datasets/{name}/lineage` as the page reads it. */
export interface LineageNode {
  id: string;
  kind: "dataset" | "job" | "model";
  namespace: string;
  name: string;
  depth: number;
}
export interface FieldEnd {
  node: string;
  field: string;
}
export interface LineageGraph {
  dataset: { id: string; namespace: string; name: string };
  depth: number;
  upstream: LineageNode[];
  downstream: LineageNode[];
  edges: Array<{ from: string; to: string }>;
  fieldEdges: Array<{ from: FieldEnd; to: FieldEnd; via: string | null }>;
  truncated: boolean;
}

export const LINEAGE_DEPTHS = ["1", "2", "3", "4", "5"] as const;
/** The graph's depth from the URL: 1–5, else the API's default. */
export const lineageDepth = (query: Record<string, string | undefined>): number | undefined =>
  pickFilters(query, { depth: LINEAGE_DEPTHS }).depth ? Number(query.depth) : undefined;

export interface LineageCard extends LineageNode {
  /** Its page: datasets only (jobs and models have none in the UI). */
  href?: string;
  /** The names of its neighbours on the dataset's side: what an upstream node feeds, what a downstream one reads. */
  links: string[];
}
export interface LineageColumn {
  side: "upstream" | "self" | "downstream";
  depth: number;
  label: string;
  nodes: LineageCard[];
}

const hops = (n: number) => (n === 1 ? "1 hop" : `${n} hops`);
const byKindName = (a: LineageNode, b: LineageNode) =>
  a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

/**
 * The graph as columns, left to right: the farthest upstream nodes, …, the dataset, …, the farthest
 * downstream ones. Each card names its neighbours toward the dataset, so the edges read as text
 * (the columns are lists: this is also what a screen reader follows).
 */
export function lineageColumns(g: LineageGraph): LineageColumn[] {
  const all = new Map<string, LineageNode>();
  all.set(g.dataset.id, { ...g.dataset, id: g.dataset.id, kind: "dataset", depth: 0 });
  for (const n of [...g.upstream, ...g.downstream]) all.set(n.id, n);
  const nameOf = (id: string) => all.get(id)?.name;
  const card = (n: LineageNode, side: "upstream" | "downstream" | "self"): LineageCard => {
    const ids =
      side === "upstream"
        ? g.edges.filter((e) => e.from === n.id).map((e) => e.to)
        : side === "downstream"
          ? g.edges.filter((e) => e.to === n.id).map((e) => e.from)
          : [];
    const links = [...new Set(ids.map(nameOf).filter((s): s is string => s !== undefined))].sort();
    return { ...n, ...(n.kind === "dataset" ? { href: datasetUrl(n) } : {}), links };
  };
  const column = (side: "upstream" | "downstream", depth: number): LineageColumn => ({
    side,
    depth,
    label: `${hops(depth)} ${side}`,
    nodes: (side === "upstream" ? g.upstream : g.downstream)
      .filter((n) => n.depth === depth)
      .sort(byKindName)
      .map((n) => card(n, side)),
  });
  const depths = (nodes: LineageNode[]) => [...new Set(nodes.map((n) => n.depth))].sort((a, b) => a - b);
  const center = all.get(g.dataset.id)!;
  return [
    ...depths(g.upstream)
      .reverse()
      .map((d) => column("upstream", d)),
    { side: "self", depth: 0, label: "This dataset", nodes: [card(center, "self")] },
    ...depths(g.downstream).map((d) => column("downstream", d)),
  ];
}

export interface FieldLink {
  /** `dataset.field`, or the node's name when the whole node reads the field (a model). */
  label: string;
  href?: string;
  via?: string;
}
export interface FieldLineageRow {
  field: string;
  /** Absent from the current schema version (an edge names it). */
  unknown: boolean;
  from: FieldLink[];
  to: FieldLink[];
}

/**
 * One row per field of the dataset: the upstream fields it is made from and the downstream fields
 * (or models) made from it, each through its job. Fields only an edge names come last, marked.
 */
export function fieldLineageRows(g: LineageGraph, fields: string[]): FieldLineageRow[] {
  const nodes = new Map<string, { kind: string; namespace: string; name: string }>();
  nodes.set(g.dataset.id, { kind: "dataset", ...g.dataset });
  for (const n of [...g.upstream, ...g.downstream]) nodes.set(n.id, n);
  const link = (end: FieldEnd, via: string | null): FieldLink | undefined => {
    const n = nodes.get(end.node);
    if (!n) return undefined;
    const viaName = via ? nodes.get(via)?.name : undefined;
    return {
      label: end.field ? `${n.name}.${end.field}` : n.name,
      ...(n.kind === "dataset" ? { href: datasetUrl(n, end.field ? { field: end.field } : {}) } : {}),
      ...(viaName ? { via: viaName } : {}),
    };
  };
  const rows = new Map<string, FieldLineageRow>();
  const row = (field: string, unknown: boolean) => {
    let r = rows.get(field);
    if (!r) {
      r = { field, unknown, from: [], to: [] };
      rows.set(field, r);
    }
    return r;
  };
  for (const f of fields) row(f, false);
  const known = new Set(fields);
  for (const e of g.fieldEdges) {
    if (e.to.node === g.dataset.id && e.to.field) {
      const l = link(e.from, e.via);
      if (l) row(e.to.field, !known.has(e.to.field)).from.push(l);
    }
    if (e.from.node === g.dataset.id && e.from.field) {
      const l = link(e.to, e.via);
      if (l) row(e.from.field, !known.has(e.from.field)).to.push(l);
    }
  }
  const sortLinks = (a: FieldLink, b: FieldLink) => a.label.localeCompare(b.label);
  const out = [...rows.values()].map((r) => ({
    ...r,
    from: r.from.sort(sortLinks),
    to: r.to.sort(sortLinks),
  }));
  return [
    ...out.filter((r) => !r.unknown),
    ...out.filter((r) => r.unknown).sort((a, b) => a.field.localeCompare(b.field)),
  ];
}
