/**
 * "What would this contract have said about the traffic we saw?": versions of a model contract
 * checked against the model's stored predictions of a window, with the same row checks ingest uses
 * (contract-check.ts), so a proposed contract is judged exactly as it would be once saved.
 */
import type { Db } from "../db/client.ts";
import { validateFieldRules } from "../schemas/contracts/rules.ts";
import { BatchSummary, checkRow, compileContract } from "./contract-check.ts";
import type { ContractIn } from "./model.ts";
import { countPredictions, featurePage } from "./store.ts";

/** Rows read per query; the window is walked newest first in pages this size. */
const PAGE_ROWS = 5000;
/** Rows evaluated at most: past it the newest rows of the window stand for all of them. */
export const MAX_EVALUATED_ROWS = 100_000;

export interface ContractEvaluation {
  /** Rows that break at least one rule. */
  flagged: number;
  /** flagged / evaluated rows (0 without rows). */
  violationRate: number;
  /** "field.rule" → rows breaking it. */
  byRule: Record<string, number>;
  /** Fields null or absent more often than their maxNullRate allows. */
  nullRateBreaches: { field: string; rate: number; max: number }[];
}

export interface WindowEvaluation {
  from: string;
  to: string;
  /** Rows of the model in the window. */
  rows: number;
  /** Rows checked: all of them, or the newest `maxRows`. */
  evaluated: number;
  sampled: boolean;
  /** One per contract given, in order. */
  results: ContractEvaluation[];
}

/**
 * Checks every row of `model` in [from, to) (the newest `maxRows` of them) against each of
 * `contracts` in one pass. Throws an invalid-input DomainError for a rule zod cannot judge (a
 * pattern that does not compile, min above max).
 */
export async function evaluateContractsOnWindow(
  db: Db,
  projectId: string,
  model: string,
  contracts: readonly ContractIn[],
  window: { from: Date; to: Date },
  options: { maxRows?: number } = {},
): Promise<WindowEvaluation> {
  for (const c of contracts) validateFieldRules(c.fields);
  const maxRows = options.maxRows ?? MAX_EVALUATED_ROWS;
  const compiled = contracts.map((c) => compileContract(c));
  const summaries = compiled.map((c) => new BatchSummary(c));
  const rows = await countPredictions(db, projectId, model, window.from, window.to);
  let evaluated = 0;
  let after: { ts: string; id: number } | undefined;
  while (evaluated < maxRows) {
    const page = await featurePage(
      db,
      projectId,
      model,
      window,
      after,
      Math.min(PAGE_ROWS, maxRows - evaluated),
    );
    for (const row of page) {
      for (let i = 0; i < compiled.length; i++)
        summaries[i]!.add(row.features, checkRow(compiled[i]!, row.features));
    }
    evaluated += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE_ROWS) break;
    after = { ts: last.ts, id: last.id };
  }
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    rows,
    evaluated,
    sampled: evaluated < rows,
    results: summaries.map((s) => ({
      flagged: s.violatingRows,
      violationRate: s.violationRate,
      byRule: { ...s.counts },
      nullRateBreaches: s.nullRateBreaches(),
    })),
  };
}
