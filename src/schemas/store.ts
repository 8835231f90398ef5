import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { lineageNodes, schemaChanges, schemaSnapshots } from "../db/schema/index.ts";
import { DomainError, notFoundError } from "../lib/errors.ts";
import type { CanonicalSchema, SchemaFormat } from "./canonical.ts";
import { diffSchemas, type SchemaChange } from "./diff.ts";
import { schemaHash } from "./hash.ts";
import type { NodeKind } from "./impact-paths.ts";
import { rereadOpenLineageSchema } from "./openlineage-reread.ts";

/**
 * Datasets, schema versions and their classified changes. Everything here takes a `Db`, which may
 * be a transaction: callers (snapshot ingestion, OpenLineage events) wrap a whole request in one.
 */

/** Namespace of datasets posted to /api/v1/datasets/{name} without `namespace`, and of models. */
export const DEFAULT_NAMESPACE = "default";

export interface NodeRef {
  namespace: string;
  name: string;
}

/**
 * Creates the node if new; returns its id. DO NOTHING + select rather than DO UPDATE: an update would
 * lock the existing row, and two events naming the same datasets in different orders would deadlock.
 */
export async function upsertNode(db: Db, projectId: string, kind: NodeKind, ref: NodeRef): Promise<string> {
  const [row] = await db
    .insert(lineageNodes)
    .values({ projectId, kind, namespace: ref.namespace, name: ref.name })
    .onConflictDoNothing()
    .returning({ id: lineageNodes.id });
  if (row) return row.id;
  const [found] = await db
    .select({ id: lineageNodes.id })
    .from(lineageNodes)
    .where(
      and(
        eq(lineageNodes.projectId, projectId),
        eq(lineageNodes.kind, kind),
        eq(lineageNodes.namespace, ref.namespace),
        eq(lineageNodes.name, ref.name),
      ),
    );
  return found!.id;
}

/** The key of a node in `upsertNodes`' answer. */
export const nodeKey = (kind: string, ref: NodeRef) => `${kind}\u0000${ref.namespace}\u0000${ref.name}`;

/**
 * Many nodes at once: one insert in sorted order (concurrent writers take the unique-index entries in
 * the same order, so they cannot deadlock), then one select for those that existed. Keyed by `nodeKey`.
 */
export async function upsertNodes(
  db: Db,
  projectId: string,
  nodes: { kind: NodeKind; ref: NodeRef }[],
): Promise<Map<string, string>> {
  const key = (kind: string, namespace: string, name: string) => nodeKey(kind, { namespace, name });
  const unique = new Map<string, { kind: NodeKind; namespace: string; name: string }>();
  for (const n of nodes)
    unique.set(key(n.kind, n.ref.namespace, n.ref.name), {
      kind: n.kind,
      namespace: n.ref.namespace,
      name: n.ref.name,
    });
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ids = new Map<string, string>();
  if (sorted.length === 0) return ids;
  const inserted = await db
    .insert(lineageNodes)
    .values(sorted.map(([, n]) => ({ projectId, ...n })))
    .onConflictDoNothing()
    .returning({
      id: lineageNodes.id,
      kind: lineageNodes.kind,
      namespace: lineageNodes.namespace,
      name: lineageNodes.name,
    });
  for (const r of inserted) ids.set(key(r.kind, r.namespace, r.name), r.id);
  const missing = sorted.filter(([k]) => !ids.has(k)).map(([, n]) => n);
  if (missing.length > 0) {
    const found = await db
      .select({
        id: lineageNodes.id,
        kind: lineageNodes.kind,
        namespace: lineageNodes.namespace,
        name: lineageNodes.name,
      })
      .from(lineageNodes)
      .where(
        and(
          eq(lineageNodes.projectId, projectId),
          sql`(${lineageNodes.kind}, ${lineageNodes.namespace}, ${lineageNodes.name}) in (${sql.join(
            missing.map((n) => sql`(${n.kind}, ${n.namespace}, ${n.name})`),
            sql`, `,
          )})`,
        ),
      );
    for (const r of found) ids.set(key(r.kind, r.namespace, r.name), r.id);
  }
  return ids;
}

export interface SnapshotInput {
  schema: CanonicalSchema;
  format: SchemaFormat;
  warnings: string[];
  source: "api" | "lineage";
  /**
   * When the producer saw this schema. A lineage snapshot older than the current version's is stale
   * (events arrive out of order); API snapshots are ordered by arrival.
   */
  observedAt: Date;
}

export interface SnapshotResult {
  datasetId: string;
  dataset: NodeRef;
  /** The dataset's version after this call (the new one when created). */
  version: number;
  hash: string;
  created: boolean;
  /** The snapshot is older than the current version (an out-of-order OpenLineage event): ignored. */
  stale: boolean;
  previousVersion?: number;
  breaking: boolean;
  changes: SchemaChange[];
}

/**
 * Stores a schema snapshot: a new version only when the hash differs from the current one, with
 * the classified diff against it. The dataset row is locked for the version bump, so concurrent
 * snapshots of one dataset get consecutive versions rather than a unique-key error.
 */
export async function recordSnapshot(
  db: Db,
  projectId: string,
  ref: NodeRef,
  input: SnapshotInput,
): Promise<SnapshotResult> {
  const datasetId = await upsertNode(db, projectId, "dataset", ref);
  const [head] = await db
    .select({ version: lineageNodes.currentVersion, hash: lineageNodes.currentHash })
    .from(lineageNodes)
    .where(eq(lineageNodes.id, datasetId))
    // Not FOR UPDATE: edge inserts hold KEY SHARE locks on their nodes, which FOR UPDATE would wait on.
    .for("no key update");
  const hash = schemaHash(input.schema);
  const current = head!.version;
  const base = {
    datasetId,
    dataset: { namespace: ref.namespace, name: ref.name },
    hash,
    breaking: false,
    changes: [] as SchemaChange[],
  };
  if (head!.hash === hash) return { ...base, version: current, created: false, stale: false };

  let previous: { schema: CanonicalSchema; observedAt: Date; format: string } | undefined;
  if (current > 0) {
    const [row] = await db
      .select({
        schema: schemaSnapshots.schema,
        observedAt: schemaSnapshots.observedAt,
        format: schemaSnapshots.format,
      })
      .from(schemaSnapshots)
      .where(and(eq(schemaSnapshots.datasetId, datasetId), eq(schemaSnapshots.version, current)));
    previous = row as { schema: CanonicalSchema; observedAt: Date; format: string };
    if (previous && input.source === "lineage" && input.observedAt < previous.observedAt)
      return { ...base, hash: head!.hash ?? hash, version: current, created: false, stale: true };
  }
  const version = current + 1;
  // An OpenLineage snapshot may predate the facet conventions (`_element`, key/value): compare
  // what its facet means today, so re-sending the same facet is no spurious breaking change.
  const before =
    previous?.format === "openlineage"
      ? rereadOpenLineageSchema(previous.schema, input.schema)
      : previous?.schema;
  const warnings =
    previous && before && schemaHash(before) !== schemaHash(previous.schema)
      ? [
          ...input.warnings,
          `v${current} was read from its OpenLineage facet before Vigil applied the facet's nested-type conventions (_element, key/value, union); the diff compares it as it reads today`,
        ]
      : input.warnings;
  const diff = before ? diffSchemas(before, input.schema) : { breaking: false, changes: [] };
  await db.insert(schemaSnapshots).values({
    projectId,
    datasetId,
    version,
    hash,
    schema: input.schema,
    format: input.format,
    source: input.source,
    warnings,
    observedAt: input.observedAt,
  });
  if (diff.changes.length > 0)
    await db.insert(schemaChanges).values(
      diff.changes.map((c, ordinal) => ({
        projectId,
        datasetId,
        version,
        ordinal,
        kind: c.kind,
        path: c.path,
        fromValue: c.from ?? null,
        toValue: c.to ?? null,
        breaking: c.breaking,
        reason: c.reason,
      })),
    );
  await db
    .update(lineageNodes)
    .set({ currentVersion: version, currentHash: hash, updatedAt: sql`now()` })
    .where(eq(lineageNodes.id, datasetId));
  return {
    ...base,
    version,
    created: true,
    stale: false,
    ...(previous ? { previousVersion: current } : {}),
    breaking: diff.breaking,
    changes: diff.changes,
  };
}

export interface DatasetRow {
  id: string;
  namespace: string;
  name: string;
  currentVersion: number;
  currentHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const datasetColumns = {
  id: lineageNodes.id,
  namespace: lineageNodes.namespace,
  name: lineageNodes.name,
  currentVersion: lineageNodes.currentVersion,
  currentHash: lineageNodes.currentHash,
  createdAt: lineageNodes.createdAt,
  updatedAt: lineageNodes.updatedAt,
};

/**
 * Finds a dataset by name. With a namespace it is exact. Without one, `default` wins; otherwise a
 * name that exists in exactly one namespace (as OpenLineage datasets do) resolves to it, and a name
 * in several namespaces is a 409 listing them.
 */
export async function findDataset(
  db: Db,
  projectId: string,
  name: string,
  namespace?: string,
): Promise<DatasetRow> {
  const rows = await db
    .select(datasetColumns)
    .from(lineageNodes)
    .where(
      and(
        eq(lineageNodes.projectId, projectId),
        eq(lineageNodes.kind, "dataset"),
        eq(lineageNodes.name, name),
        namespace !== undefined ? eq(lineageNodes.namespace, namespace) : undefined,
      ),
    )
    .orderBy(asc(lineageNodes.namespace))
    .limit(50);
  const found =
    rows.find((r) => r.namespace === (namespace ?? DEFAULT_NAMESPACE)) ??
    (rows.length === 1 ? rows[0] : undefined);
  if (found) return found;
  if (rows.length > 1)
    throw new DomainError(
      "conflict",
      "ambiguous_dataset",
      `Dataset "${name}" exists in several namespaces; pass ?namespace=`,
      { namespaces: rows.map((r) => r.namespace) },
    );
  throw notFoundError(
    namespace !== undefined ? `No dataset "${name}" in namespace "${namespace}"` : `No dataset "${name}"`,
  );
}

/** Where a page of datasets ends: the (namespace, name) of its last row, which is unique per project. */
export interface DatasetCursor {
  namespace: string;
  name: string;
}

export const encodeDatasetCursor = (d: DatasetCursor) =>
  Buffer.from(JSON.stringify([d.namespace, d.name])).toString("base64url");

/** The cursor a page handed out; undefined for anything else (a 400 for the route). */
export function decodeDatasetCursor(cursor: string): DatasetCursor | undefined {
  if (cursor.length > 6000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString());
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [namespace, name] = v;
    if (typeof namespace !== "string" || typeof name !== "string") return undefined;
    if (namespace.length > 1000 || name.length > 1000 || (namespace + name).includes("\u0000"))
      return undefined;
    return { namespace, name };
  } catch {
    return undefined;
  }
}

/**
 * A page of the project's datasets in (namespace, name) order, after `cursor` (keyset paging: a
 * dataset created or deleted between pages neither repeats nor hides another). The row comparison
 * and the ORDER BY use the same collation, and (project, kind, namespace, name) is unique, so the
 * order is total.
 */
export async function listDatasets(
  db: Db,
  projectId: string,
  opts: { namespace?: string; limit: number; cursor?: DatasetCursor },
) {
  const rows = await db
    .select({
      ...datasetColumns,
      fieldCount: sql<number | null>`(
        select jsonb_array_length(s.schema -> 'fields') from ${schemaSnapshots} s
        where s.dataset_id = lineage_nodes.id and s.version = lineage_nodes.current_version)`,
      lastBreakingAt: sql<Date | string | null>`(
        select max(c.created_at) from ${schemaChanges} c
        where c.dataset_id = lineage_nodes.id and c.breaking)`,
    })
    .from(lineageNodes)
    .where(
      and(
        eq(lineageNodes.projectId, projectId),
        eq(lineageNodes.kind, "dataset"),
        opts.namespace !== undefined ? eq(lineageNodes.namespace, opts.namespace) : undefined,
        opts.cursor
          ? sql`(${lineageNodes.namespace}, ${lineageNodes.name}) > (${opts.cursor.namespace}, ${opts.cursor.name})`
          : undefined,
      ),
    )
    .orderBy(asc(lineageNodes.namespace), asc(lineageNodes.name))
    .limit(opts.limit);
  return rows;
}

export async function getSnapshot(db: Db, datasetId: string, version?: number) {
  const [row] = await db
    .select({
      version: schemaSnapshots.version,
      hash: schemaSnapshots.hash,
      schema: schemaSnapshots.schema,
      format: schemaSnapshots.format,
      source: schemaSnapshots.source,
      warnings: schemaSnapshots.warnings,
      observedAt: schemaSnapshots.observedAt,
      createdAt: schemaSnapshots.createdAt,
    })
    .from(schemaSnapshots)
    .where(
      and(
        eq(schemaSnapshots.datasetId, datasetId),
        version !== undefined ? eq(schemaSnapshots.version, version) : undefined,
      ),
    )
    .orderBy(desc(schemaSnapshots.version))
    .limit(1);
  if (!row) return undefined;
  return { ...row, schema: row.schema as CanonicalSchema, warnings: row.warnings as string[] };
}

export interface VersionChanges {
  version: number;
  previousVersion: number;
  breaking: boolean;
  hash: string;
  source: string;
  createdAt: Date;
  changes: SchemaChange[];
}

/**
 * The versions after `sinceVersion` with their classified changes, newest first. Version 1 has no
 * previous version and is not listed (nothing changed).
 */
export async function listChanges(
  db: Db,
  datasetId: string,
  opts: { sinceVersion: number; breakingOnly: boolean; limit: number },
): Promise<VersionChanges[]> {
  const versions = await db
    .select({
      version: schemaSnapshots.version,
      hash: schemaSnapshots.hash,
      source: schemaSnapshots.source,
      createdAt: schemaSnapshots.createdAt,
    })
    .from(schemaSnapshots)
    .where(
      and(
        eq(schemaSnapshots.datasetId, datasetId),
        gt(schemaSnapshots.version, Math.max(1, opts.sinceVersion)),
      ),
    )
    .orderBy(desc(schemaSnapshots.version))
    .limit(opts.breakingOnly ? 10_000 : opts.limit);
  if (versions.length === 0) return [];
  const rows = await db
    .select()
    .from(schemaChanges)
    .where(
      and(eq(schemaChanges.datasetId, datasetId), gt(schemaChanges.version, versions.at(-1)!.version - 1)),
    )
    .orderBy(asc(schemaChanges.version), asc(schemaChanges.ordinal));
  const byVersion = new Map<number, SchemaChange[]>();
  for (const r of rows) {
    const c: SchemaChange = {
      kind: r.kind as SchemaChange["kind"],
      path: r.path,
      breaking: r.breaking,
      reason: r.reason,
    };
    if (r.fromValue !== null) c.from = r.fromValue;
    if (r.toValue !== null) c.to = r.toValue;
    const list = byVersion.get(r.version) ?? [];
    list.push(c);
    byVersion.set(r.version, list);
  }
  const out = versions.map((v) => {
    const changes = byVersion.get(v.version) ?? [];
    return {
      version: v.version,
      previousVersion: v.version - 1,
      breaking: changes.some((c) => c.breaking),
      hash: v.hash,
      source: v.source,
      createdAt: v.createdAt,
      changes,
    };
  });
  return (opts.breakingOnly ? out.filter((v) => v.breaking) : out).slice(0, opts.limit);
}
