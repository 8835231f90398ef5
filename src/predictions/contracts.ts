/**
 * Model contracts as a service: what the contract routes do, each a unit of work. A contract and
 * its lineage declaration are stored in one transaction; the incidents the change settles are
 * resolved after it commits.
 */
import type { Db } from "../db/client.ts";
import { withTransaction } from "../db/transaction.ts";
import { DomainError } from "../lib/errors.ts";
import {
  type BatchCheck,
  checkBatchRules,
  validateBatchRules,
  validateFieldRules,
} from "../schemas/contracts/rules.ts";
import { declareModelInputs } from "../schemas/lineage.ts";
import { inferFields } from "./contract-infer.ts";
import type { Contract, ContractIn } from "./model.ts";
import { resolveDeletedContract, settleStoredContract } from "./resolve.ts";
import {
  deleteContract,
  featureRows,
  getContract,
  putContract,
  violationStats,
  windowCounts,
} from "./store.ts";

/** The declarer name of contracts' model inputs in lineage (monitors and the inputs route have theirs). */
export const CONTRACT_DECLARER = "contract";

/** Declares or replaces a model's contract (its version goes up). */
export async function saveContract(
  db: Db,
  projectId: string,
  model: string,
  input: ContractIn,
): Promise<{ contract: Contract; created: boolean }> {
  validateFieldRules(input.fields);
  validateBatchRules(input.batch);
  const saved = await withTransaction(db, async (tx) => {
    const put = await putContract(tx, projectId, model, input, "api");
    // Lineage: the model reads these dataset fields, so their breaking changes reach it.
    if (input.sources !== undefined)
      await declareModelInputs(tx, projectId, model, input.sources, { by: CONTRACT_DECLARER });
    return put;
  });
  await settleStoredContract(
    db,
    projectId,
    model,
    saved.contract,
    `contract version ${saved.contract.version}`,
  );
  return saved;
}

/** Removes a model's contract and withdraws its lineage declaration; false when there was none. */
export async function removeContract(db: Db, projectId: string, model: string): Promise<boolean> {
  const deleted = await withTransaction(db, async (tx) => {
    const existing = await getContract(tx, projectId, model);
    if (!existing || !(await deleteContract(tx, projectId, model))) return false;
    if (existing.sources) await declareModelInputs(tx, projectId, model, [], { by: CONTRACT_DECLARER });
    return true;
  });
  if (deleted) await resolveDeletedContract(db, projectId, model);
  return deleted;
}

export interface InferOptions {
  from?: Date;
  to?: Date;
  limit: number;
  save: boolean;
  violationThreshold: number;
}

/** Field rules inferred from a window of stored predictions; stored as the contract when `save`. */
export async function inferContract(
  db: Db,
  projectId: string,
  model: string,
  options: InferOptions,
): Promise<{ rows: number; contract: Contract | ContractIn }> {
  const rows = await featureRows(db, projectId, model, options);
  if (rows.length === 0)
    throw new DomainError("unprocessable", "no_rows", `No predictions of model ${model} in the window`);
  const input: ContractIn = {
    fields: inferFields(rows),
    violationThreshold: options.violationThreshold,
    detectSchemaChanges: true,
  };
  if (!options.save) return { rows: rows.length, contract: input };
  const { contract } = await putContract(db, projectId, model, input, "inferred");
  await settleStoredContract(db, projectId, model, contract, `inferred contract version ${contract.version}`);
  return { rows: rows.length, contract };
}

export interface ContractViolations {
  model: string;
  from: string;
  to: string;
  rows: number;
  flagged: number;
  violationRate: number;
  byRule: Record<string, number>;
  batch: BatchCheck[];
}

/** Violations by field and rule over [from, to] (default: the 24 hours before `to`), and the batch rules now. */
export async function contractViolations(
  db: Db,
  projectId: string,
  model: string,
  window: { from?: Date; to?: Date },
): Promise<ContractViolations> {
  const to = window.to ?? new Date();
  const from = window.from ?? new Date(to.getTime() - 86_400_000);
  const stats = await violationStats(db, projectId, model, from, to);
  const contract = await getContract(db, projectId, model);
  const batch = contract
    ? checkBatchRules(
        contract.batch,
        await windowCounts(db, projectId, model, new Date(Date.now() - contract.batch.windowSeconds * 1000)),
        new Date(),
      )
    : [];
  return {
    model,
    from: from.toISOString(),
    to: to.toISOString(),
    rows: stats.rows,
    flagged: stats.flagged,
    violationRate: stats.rows ? stats.flagged / stats.rows : 0,
    byRule: stats.byRule,
    batch,
  };
}
