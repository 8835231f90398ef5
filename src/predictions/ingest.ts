/**
 * The prediction ingest pipeline, shared by the HTTP route and the traces hook: validate each row,
 * check it against its model's contract (violations are stored on the row, which is flagged, never
 * dropped), write the rows by COPY inside one transaction (a request is stored whole or not at all,
 * so a retry is safe), then open `validation` / `schema` incidents for what the batch showed. A
 * request body's pieces are prepared on threads (prepare-pool.ts) a few ahead of the one stored.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import { withTransaction } from "../db/transaction.ts";
import { recordOccurrence } from "../incidents/record.ts";
import { DomainError, invalidInput } from "../lib/errors.ts";
import { BatchSummary, type CompiledContract, compileContract } from "./contract-check.ts";
import { PredictionCopier } from "./copy-writer.ts";
import { type IngestResult, MAX_ROWS_PER_REQUEST, type PredictionIn } from "./model.ts";
import { StreamParseError } from "./parse-stream.ts";
import {
  type ContractRules,
  copyRows,
  type ModelCheck,
  type PieceInput,
  type PieceOutput,
  type PredictionSource,
  type RowError,
  validateRows,
} from "./prepare.ts";
import { type PreparePiecePool, sharedPiecePool } from "./prepare-pool.ts";
import {
  resolveSchemaChanges,
  resolveValidation,
  schemaFingerprintPrefix,
  validationFingerprint,
} from "./resolve.ts";
import type { TextPiece } from "./split-stream.ts";
import { applyWaitingLabels, getContract, hasLabels } from "./store.ts";

export const INSERT_BATCH = 1000;
const MAX_REPORTED_ERRORS = 20;

/** Pieces of a body being prepared ahead of the one being stored. */
const LOOKAHEAD = 4;

interface ModelState {
  check: ModelCheck;
  rules: ContractRules | null;
  contractVersion?: number;
}

/**
 * Stores the rows of `batches` for one project: raw values, or the texts of values as split from a
 * request body (split-stream.ts). Throws a DomainError (invalid) on a malformed row (nothing is
 * stored), 413 past MAX_ROWS_PER_REQUEST. The rows go in by COPY while the next batch is prepared
 * (copy-writer.ts).
 */
export async function ingestPredictions(
  db: Db,
  projectId: string,
  batches: AsyncIterable<unknown[] | TextPiece> | Iterable<unknown[] | TextPiece>,
  options: { source?: PredictionSource; maxRows?: number; pool?: PreparePiecePool } = {},
): Promise<IngestResult> {
  const source = options.source ?? "api";
  const maxRows = options.maxRows ?? MAX_ROWS_PER_REQUEST;
  const result: IngestResult = {
    received: 0,
    inserted: 0,
    duplicates: 0,
    flagged: 0,
    labeled: 0,
    violations: {},
  };
  const models = new Map<string, ModelState>();
  const checks = new Map<string, ModelCheck>();
  const now = new Date().toISOString();

  const pool = options.pool ?? sharedPiecePool();

  await withTransaction(db, async (tx) => {
    const copier = new PredictionCopier(tx);
    // Labels sent before their predictions are looked up only when the project has any.
    const waiting: string[] | undefined = (await hasLabels(tx, projectId)) ? [] : undefined;
    const known = new Map<string, ContractRules | null>();
    const load = async (model: string) => {
      await copier.idle();
      const state = await loadContract(tx, projectId, model);
      models.set(model, state);
      checks.set(model, state.check);
      known.set(model, state.rules);
    };
    const input = (piece: TextPiece): PieceInput => ({
      texts: piece.texts,
      first: piece.first,
      projectId,
      source,
      now,
      contracts: known,
      maxErrors: MAX_REPORTED_ERRORS,
      requestIds: waiting !== undefined,
    });
    /** Stores a prepared piece, in body order. */
    const store = async (piece: TextPiece, prepared: Promise<PieceOutput>) => {
      let out = await prepared;
      while (out.kind === "models") {
        for (const model of out.models) if (!models.has(model)) await load(model);
        out = await pool.run(input(piece));
      }
      if (out.kind === "malformed") throw new StreamParseError(out.message, out.index);
      if (out.kind === "invalid") throw invalidRows(out.errors);
      for (const [model, part] of out.summaries) models.get(model)?.check?.summary.absorb(part);
      if (waiting) for (const id of out.requestIds) waiting.push(id);
      copier.add(out.text, out.count);
    };
    try {
      const ahead: [TextPiece, Promise<PieceOutput>][] = [];
      for await (const batch of batches) {
        const first = result.received;
        const count = Array.isArray(batch) ? batch.length : batch.texts.length;
        result.received += count;
        if (result.received > maxRows) {
          throw new DomainError(
            "too_large",
            "too_many_rows",
            `At most ${maxRows} predictions per request; split the upload`,
          );
        }
        if (!Array.isArray(batch)) {
          const prepared = pool.run(input(batch));
          prepared.catch(() => {}); // awaited in order below; a request that fails first drops it
          ahead.push([batch, prepared]);
          while (ahead.length > LOOKAHEAD) await store(...ahead.shift()!);
          continue;
        }
        while (ahead.length) await store(...ahead.shift()!);
        // Values already parsed (the traces hook, direct calls): prepared here.
        const { rows, errors } = validateRows(batch, first, MAX_REPORTED_ERRORS);
        if (errors.length) throw invalidRows(errors);
        for (const row of rows) {
          if (!models.has(row.model)) await load(row.model);
          if (waiting && row.requestId !== undefined && (row.label ?? null) === null)
            waiting.push(row.requestId);
        }
        copier.add(copyRows(rows, projectId, source, now, checks), rows.length);
      }
      while (ahead.length) await store(...ahead.shift()!);
      await copier.finish();
    } catch (error) {
      // The transaction rolls back once the COPY under way (if any) has ended.
      await copier.idle().catch(() => {});
      throw error;
    }
    result.inserted = copier.inserted;
    if (waiting) result.labeled = await applyWaitingLabels(tx, projectId, waiting);
  });
  result.duplicates = result.received - result.inserted;

  const newFields = new Set<string>();
  const vanishedFields = new Set<string>();
  for (const [model, state] of models) {
    if (!state.check) continue;
    const { contract, summary } = state.check;
    result.flagged += summary.violatingRows;
    for (const [k, n] of Object.entries(summary.counts)) result.violations[`${model}:${k}`] = n;
    await raiseIncidents(db, projectId, model, contract, summary, state.contractVersion ?? 1);
    const changes = summary.schemaChanges();
    for (const f of changes.newFields) newFields.add(`${model}:${f}`);
    for (const f of changes.vanishedFields) vanishedFields.add(`${model}:${f}`);
  }
  if (newFields.size || vanishedFields.size) {
    result.schemaChanges = { newFields: [...newFields], vanishedFields: [...vanishedFields] };
  }
  return result;
}

/** A model's contract, the first time a request names the model. */
async function loadContract(tx: Db, projectId: string, model: string): Promise<ModelState> {
  const contract = await getContract(tx, projectId, model);
  if (!contract) return { check: undefined, rules: null };
  const compiled = compileContract(contract);
  return {
    check: { contract: compiled, summary: new BatchSummary(compiled) },
    rules: {
      fields: contract.fields,
      violationThreshold: contract.violationThreshold,
      detectSchemaChanges: contract.detectSchemaChanges,
    },
    contractVersion: contract.version,
  };
}

function invalidRows(errors: RowError[]) {
  const first = errors[0]!;
  const issue = first.issues[0];
  return invalidInput(
    `Invalid prediction at row ${first.row}${issue ? `: ${issue.path || "(row)"}: ${issue.message}` : ""}; nothing was stored`,
    { rows: errors },
  );
}

/**
 * A `validation` incident when the batch broke the threshold (resolved by a later clean batch); a
 * `schema` one for field changes (resolved once the contract or the data catches up).
 */
async function raiseIncidents(
  db: Db,
  projectId: string,
  model: string,
  contract: CompiledContract,
  s: BatchSummary,
  version: number,
) {
  await resolveValidation(db, projectId, model, s, contract.violationThreshold);
  if (contract.detectSchemaChanges && s.rows > 0) {
    await resolveSchemaChanges(
      db,
      projectId,
      model,
      contract.known,
      s.presentFields(),
      "the vanished fields are back in the data",
    );
  }
  if (s.breached) {
    const nullRates = s.nullRateBreaches();
    await recordOccurrence(db, {
      projectId,
      kind: "validation",
      fingerprint: validationFingerprint(model),
      title: `Model ${model}: ${(s.violationRate * 100).toFixed(1)}% of predictions break the data contract`,
      severity: "warning",
      source: `model:${model}`,
      sample: {
        model,
        rows: s.rows,
        violatingRows: s.violatingRows,
        violationRate: s.violationRate,
        violations: s.counts,
        nullRates,
        contractVersion: version,
      },
      labels: { model },
    });
  }
  const changes = s.schemaChanges();
  if (changes.newFields.length || changes.vanishedFields.length) {
    // One incident per distinct change, so the same upstream change seen again only counts up.
    const hash = createHash("sha256").update(JSON.stringify(changes)).digest("hex").slice(0, 16);
    const parts = [
      changes.newFields.length ? `new fields ${changes.newFields.join(", ")}` : "",
      changes.vanishedFields.length ? `vanished fields ${changes.vanishedFields.join(", ")}` : "",
    ].filter(Boolean);
    await recordOccurrence(db, {
      projectId,
      kind: "schema",
      fingerprint: `${schemaFingerprintPrefix(model)}${hash}`,
      title: `Model ${model}: upstream schema changed (${parts.join("; ")})`,
      severity: changes.vanishedFields.length ? "error" : "warning",
      source: `model:${model}`,
      sample: { model, ...changes, contractVersion: version, rows: s.rows },
      labels: { model },
    });
  }
}

/**
 * For other capabilities (the traces ingest): store already-validated prediction rows, with the
 * same contract checks, label joins, idempotency and incidents as the HTTP route.
 */
export async function storePredictions(
  db: Db,
  projectId: string,
  rows: readonly PredictionIn[],
  source: PredictionSource = "trace",
): Promise<IngestResult> {
  if (rows.length === 0)
    return { received: 0, inserted: 0, duplicates: 0, flagged: 0, labeled: 0, violations: {} };
  const batches: unknown[][] = [];
  for (let i = 0; i < rows.length; i += INSERT_BATCH) batches.push(rows.slice(i, i + INSERT_BATCH));
  return ingestPredictions(db, projectId, batches, { source, maxRows: Number.POSITIVE_INFINITY });
}
