import { isName, pickFilters } from "./query.ts";
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
