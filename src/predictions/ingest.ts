/**
 * The prediction ingest pipeline, shared by the HTTP route and the traces hook: validate each row,
 * check it against its model's contract (violations are stored on the row, which is flagged, never
 * dropped), insert in batches inside one transaction (a request is stored whole or not at all, so a
 * retry is safe), then open `validation` / `schema` incidents for what the batch showed.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import { withTransaction } from "../db/transaction.ts";
import { recordOccurrence } from "../incidents/record.ts";
import { DomainError, invalidInput } from "../lib/errors.ts";
import { BatchSummary, type CompiledContract, checkRow, compileContract } from "./contract-check.ts";
import { type IngestResult, MAX_ROWS_PER_REQUEST, PredictionIn } from "./model.ts";
import {
  resolveSchemaChanges,
  resolveValidation,
  schemaFingerprintPrefix,
  validationFingerprint,
} from "./resolve.ts";
import { getContract, insertPredictions, type StoredPrediction } from "./store.ts";

export const INSERT_BATCH = 1000;
const MAX_REPORTED_ERRORS = 20;

function toStored(p: PredictionIn, source: StoredPrediction["source"], now: string): StoredPrediction {
  return {
    model: p.model,
    model_version: p.modelVersion ?? null,
    ts:
      p.timestamp === undefined
        ? now
        : typeof p.timestamp === "number"
          ? new Date(p.timestamp).toISOString()
          : p.timestamp,
    request_id: p.requestId ?? null,
    features: p.features,
    output: p.output ?? null,
    label: p.label ?? null,
    validation: null,
    flagged: false,
    source,
  };
}

interface ModelState {
  contract: CompiledContract | undefined;
  summary: BatchSummary | undefined;
  contractVersion?: number;
}

/**
 * Stores the rows of `batches` (raw, unvalidated values) for one project. Throws a DomainError (invalid) on a
 * malformed row (nothing is stored), 413 past MAX_ROWS_PER_REQUEST.
 */
export async function ingestPredictions(
  db: Db,
  projectId: string,
  batches: AsyncIterable<unknown[]> | Iterable<unknown[]>,
  options: { source?: StoredPrediction["source"]; maxRows?: number } = {},
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
  const now = new Date().toISOString();

  await withTransaction(db, async (tx) => {
    for await (const raw of batches) {
      const rows: StoredPrediction[] = [];
      const errors: { row: number; issues: { path: string; message: string }[] }[] = [];
      for (const value of raw) {
        const index = result.received++;
        if (result.received > maxRows) {
          throw new DomainError(
            "too_large",
            "too_many_rows",
            `At most ${maxRows} predictions per request; split the upload`,
          );
        }
        const parsed = PredictionIn.safeParse(value);
        if (!parsed.success) {
          if (errors.length < MAX_REPORTED_ERRORS) {
            errors.push({
              row: index,
              issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
            });
          }
          continue;
        }
        const row = toStored(parsed.data, source, now);
        let state = models.get(row.model);
        if (!state) {
          const contract = await getContract(tx, projectId, row.model);
          const compiled = contract ? compileContract(contract) : undefined;
          state = {
            contract: compiled,
            summary: compiled ? new BatchSummary(compiled) : undefined,
            contractVersion: contract?.version,
          };
          models.set(row.model, state);
        }
        if (state.contract) {
          const violations = checkRow(state.contract, row.features);
          state.summary!.add(row.features, violations);
          if (violations.length) {
            row.validation = violations;
            row.flagged = true;
          }
        }
        rows.push(row);
      }
      if (errors.length) {
        const first = errors[0]!;
        const issue = first.issues[0];
        throw invalidInput(
          `Invalid prediction at row ${first.row}${issue ? `: ${issue.path || "(row)"}: ${issue.message}` : ""}; nothing was stored`,
          { rows: errors },
        );
      }
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        const chunk = rows.slice(i, i + INSERT_BATCH);
        const r = await insertPredictions(tx, projectId, chunk);
        result.inserted += r.inserted;
        result.labeled += r.labeled;
      }
    }
  });
  result.duplicates = result.received - result.inserted;

  const newFields = new Set<string>();
  const vanishedFields = new Set<string>();
  for (const [model, state] of models) {
    const summary = state.summary;
    if (!summary) continue;
    result.flagged += summary.violatingRows;
    for (const [k, n] of Object.entries(summary.counts)) result.violations[`${model}:${k}`] = n;
    await raiseIncidents(db, projectId, model, state.contract!, summary, state.contractVersion ?? 1);
    const changes = summary.schemaChanges();
    for (const f of changes.newFields) newFields.add(`${model}:${f}`);
    for (const f of changes.vanishedFields) vanishedFields.add(`${model}:${f}`);
  }
  if (newFields.size || vanishedFields.size) {
    result.schemaChanges = { newFields: [...newFields], vanishedFields: [...vanishedFields] };
  }
  return result;
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
  source: StoredPrediction["source"] = "trace",
): Promise<IngestResult> {
  if (rows.length === 0)
    return { received: 0, inserted: 0, duplicates: 0, flagged: 0, labeled: 0, violations: {} };
  const batches: unknown[][] = [];
  for (let i = 0; i < rows.length; i += INSERT_BATCH) batches.push(rows.slice(i, i + INSERT_BATCH));
  return ingestPredictions(db, projectId, batches, { source, maxRows: Number.POSITIVE_INFINITY });
}
