/**
 * The stateless breaking-change check (what `vigil schema diff` does) and lineage impact, for other
 * capabilities that judge schema files they read elsewhere: the GitHub PR check reads them from a
 * repository, diffs base and head, and names who reads the changed fields.
 */
import type { Db } from "../db/client.ts";
import { DomainError } from "../lib/errors.ts";
import { type ImpactResult, impactOf } from "./impact-store.ts";
import { findDataset } from "./store.ts";

export { type CanonicalSchema, SCHEMA_FORMATS, type SchemaFormat } from "./canonical.ts";
export { type ChangeKind, diffSchemas, type SchemaChange, type SchemaDiff } from "./diff.ts";
export { SchemaInputError } from "./errors.ts";
export type { ImpactedNode } from "./impact-paths.ts";
export { type NormalizeOptions, normalizeSchema } from "./normalize.ts";

export interface DatasetImpact extends ImpactResult {
  dataset: { namespace: string; name: string };
}

/**
 * Everything downstream of `fields` of a project's dataset (the whole dataset when none), or
 * undefined when the project has no such dataset (nothing ever pushed it, or the name is ambiguous
 * without a namespace).
 */
export async function datasetImpact(
  db: Db,
  projectId: string,
  ref: { dataset: string; namespace?: string },
  fields: string[],
): Promise<DatasetImpact | undefined> {
  let found: Awaited<ReturnType<typeof findDataset>>;
  try {
    found = await findDataset(db, projectId, ref.dataset, ref.namespace);
  } catch (error) {
    if (error instanceof DomainError && (error.kind === "not_found" || error.kind === "conflict"))
      return undefined;
    throw error;
  }
  const impact = await impactOf(db, projectId, found.id, fields);
  return { dataset: { namespace: found.namespace, name: found.name }, ...impact };
}
