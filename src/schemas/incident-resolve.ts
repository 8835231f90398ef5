import type { Db } from "../db/client.ts";
import { listIncidents } from "../incidents/read.ts";
import { resolveByFingerprint } from "../incidents/record.ts";
import type { CanonicalSchema } from "./canonical.ts";
import { diffSchemas, type SchemaChange } from "./diff.ts";
import { rereadOpenLineageSchema } from "./openlineage-reread.ts";
import { stillBreaking } from "./schema-incident.ts";
import { getSnapshot, type SnapshotResult } from "./store.ts";

/** More unresolved schema incidents than this on one dataset are left for people to sort out. */
const MAX_CHECKED = 200;

/**
 * A new version may fix earlier breaks: each unresolved `schema` incident of the dataset is
 * resolved when the diff from the last version before its break to the new version no longer
 * breaks any of its paths (`stillBreaking`). Called for every new version, before a breaking one
 * opens its own incident, in the snapshot's transaction. Returns the resolved incidents' ids.
 */
export async function resolveFixedSchemaIncidents(
  db: Db,
  projectId: string,
  r: SnapshotResult,
  schema: CanonicalSchema,
  at: Date,
): Promise<string[]> {
  const source = `${r.dataset.namespace}/${r.dataset.name}`;
  const unresolved = [];
  for (const status of ["open", "acknowledged"])
    unresolved.push(
      ...(await listIncidents(db, projectId, { kind: "schema", source, status, limit: MAX_CHECKED })),
    );
  const resolved: string[] = [];
  const before = new Map<number, CanonicalSchema | undefined>();
  for (const inc of unresolved) {
    // The latest occurrence: a break that recurred after a fix counts from its latest base.
    const s = inc.latest as {
      dataset?: { namespace?: string; name?: string };
      previousVersion?: number;
      version?: number;
      breakingChanges?: SchemaChange[];
    };
    if (s.dataset?.namespace !== r.dataset.namespace || s.dataset?.name !== r.dataset.name) continue;
    if (typeof s.previousVersion !== "number" || s.version === r.version || !s.breakingChanges) continue;
    if (!before.has(s.previousVersion)) {
      const snap = await getSnapshot(db, r.datasetId, s.previousVersion);
      // As in recordSnapshot: an OpenLineage base is compared as its facet reads today.
      before.set(
        s.previousVersion,
        snap && snap.format === "openlineage" ? rereadOpenLineageSchema(snap.schema, schema) : snap?.schema,
      );
    }
    const base = before.get(s.previousVersion);
    if (!base) continue;
    if (stillBreaking(s.breakingChanges, diffSchemas(base, schema).changes).length > 0) continue;
    const id = await resolveByFingerprint(db, projectId, "schema", inc.fingerprint, {
      at,
      actor: "vigil",
      message: `Schema v${r.version} no longer breaks what v${s.previousVersion} readers used`,
    });
    if (id) resolved.push(id);
  }
  return resolved;
}
