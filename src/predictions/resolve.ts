/**
 * Resolving the predictions capability's incidents once their cause is gone: a `validation`
 * incident when a later batch is back under the contract's threshold, a `schema` incident when the
 * contract has caught up with the upstream change (or the vanished fields came back).
 */
import type { Db } from "../db/client.ts";
import { resolveByFingerprint, unresolvedByPrefix } from "../incidents/record.ts";
import { batchFingerprint } from "./batch-check.ts";
import { type BatchSummary, MIN_ROWS_TO_RESOLVE, schemaChangeSettled } from "./contract-check.ts";
import type { Contract } from "./model.ts";

export const validationFingerprint = (model: string) => `predictions:${model}`;
/** Schema incidents are one per distinct change: this prefix + a hash of the change. */
export const schemaFingerprintPrefix = (model: string) => `predictions:${model}:`;

/** A batch under the threshold (and big enough to say so) resolves the model's validation incident. */
export async function resolveValidation(
  db: Db,
  projectId: string,
  model: string,
  s: BatchSummary,
  threshold: number,
): Promise<boolean> {
  if (s.breached || s.rows < MIN_ROWS_TO_RESOLVE) return false;
  const id = await resolveByFingerprint(db, projectId, "validation", validationFingerprint(model), {
    actor: "vigil",
    message:
      `a batch of ${s.rows} rows is back under the contract's threshold ` +
      `(${(s.violationRate * 100).toFixed(1)}% ≤ ${(threshold * 100).toFixed(1)}%)`,
  });
  return id !== undefined;
}

/**
 * Resolves the model's open schema incidents that `contractFields` (the contract now) and the fields
 * `seen` in a batch settle; `null` (the contract was deleted or stopped detecting schema changes)
 * resolves them all. Returns the fingerprints resolved.
 */
export async function resolveSchemaChanges(
  db: Db,
  projectId: string,
  model: string,
  contractFields: ReadonlySet<string> | null,
  seen: ReadonlySet<string> = new Set(),
  reason = "the data contract and the upstream fields agree again",
): Promise<string[]> {
  const open = await unresolvedByPrefix(db, projectId, "schema", schemaFingerprintPrefix(model));
  const resolved: string[] = [];
  for (const { fingerprint, latest } of open) {
    // The prefix of model "a" also matches model "a:b": the sample names the model.
    if (latest.model !== model) continue;
    const change = latest as { newFields?: string[]; vanishedFields?: string[] };
    if (contractFields && !schemaChangeSettled(change, contractFields, seen)) continue;
    await resolveByFingerprint(db, projectId, "schema", fingerprint, { actor: "vigil", message: reason });
    resolved.push(fingerprint);
  }
  return resolved;
}

/**
 * Resolves what a model contract's rules opened once those rules are gone (the contract deleted):
 * nothing checks them again, so the incidents would stay open for good.
 */
export async function resolveDeletedContract(db: Db, projectId: string, model: string): Promise<void> {
  const message = "the contract was deleted";
  for (const fp of [validationFingerprint(model), batchFingerprint(model)])
    await resolveByFingerprint(db, projectId, "validation", fp, { actor: "vigil", message });
  await resolveSchemaChanges(db, projectId, model, null, new Set(), message);
}

/**
 * After a contract is stored (`what` names it, e.g. "contract version 3"): resolves the schema
 * incidents it settles, and the scheduled batch incident when it has no batch rules left.
 */
export async function settleStoredContract(
  db: Db,
  projectId: string,
  model: string,
  contract: Contract,
  what: string,
): Promise<void> {
  await resolveSchemaChanges(
    db,
    projectId,
    model,
    contract.detectSchemaChanges ? new Set(Object.keys(contract.fields)) : null,
    new Set(),
    `${what} settles the upstream schema change`,
  );
  const b = contract.batch;
  if (b?.minRows === undefined && b?.maxRows === undefined && b?.freshnessSeconds === undefined)
    await resolveByFingerprint(db, projectId, "validation", batchFingerprint(model), {
      actor: "vigil",
      message: `${what} has no batch rules`,
    });
}
