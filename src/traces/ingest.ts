import type { Database, Db } from "../db/client.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { ApiError } from "../http/errors.ts";
import { recordOccurrence } from "../incidents/record.ts";
import { predictionsFromSpans } from "../predictions/from-spans.ts";
import { storePredictions } from "../predictions/ingest.ts";
import { exceptionOccurrences } from "./exceptions.ts";
import type { DecodedSpan } from "./model.ts";
import { daysOf, type Partitions } from "./partitions.ts";
import { insertSpans, prepareSpans } from "./store.ts";
import { validateSpans } from "./validate.ts";

export interface IngestResult {
  /** Spans newly stored. */
  stored: number;
  /** Valid spans already stored by an earlier (retried) request. */
  duplicates: number;
  rejected: number;
  errorMessage: string;
  /** Exception incidents opened or updated. */
  incidents: number;
  /** Prediction logs found in the new spans and stored. */
  predictions: number;
}

export interface IngestOptions {
  retentionDays: number;
  now?: Date;
}

/**
 * Validate → make sure the day partitions exist → one transaction: insert the batch, then turn
 * the exceptions of the spans that were new into incidents. Nothing is acknowledged unless that
 * transaction committed; a retry stores nothing twice and counts no exception twice.
 */
export async function ingestSpans(
  database: Database,
  partitions: Partitions,
  projectId: string,
  decoded: DecodedSpan[],
  malformed: string[],
  options: IngestOptions,
): Promise<IngestResult> {
  const now = options.now ?? new Date();
  const { records, rejected, errorMessage } = validateSpans(
    decoded,
    { nowNs: BigInt(now.getTime()) * 1_000_000n, retentionDays: options.retentionDays },
    malformed,
  );
  if (!records.length)
    return { stored: 0, duplicates: 0, rejected, errorMessage, incidents: 0, predictions: 0 };

  const batch = prepareSpans(records);
  const write = async () => {
    await partitions.ensure(daysOf(records.map((r) => r.startNs)));
    return database.db.transaction(async (tx) => {
      const fresh = await insertSpans(tx as unknown as Db, projectId, batch);
      const freshRecords = records.filter((r) => fresh.has(`${r.traceId}:${r.spanId}`));
      // Spans that carry prediction logs (vigil.prediction.*, GenAI conventions) become predictions
      // in the same transaction: a model instrumented with OpenTelemetry needs no second client.
      const { rows } = predictionsFromSpans(freshRecords);
      if (rows.length) await storePredictions(tx as unknown as Db, projectId, rows, "trace");
      // Incidents last: every batch with the same exception updates the same incident row, and its
      // lock is held until commit — so take it as late as possible, and send the upserts together
      // (pipelined on one connection, in fingerprint order) instead of one round trip after another.
      const occurrences = exceptionOccurrences(projectId, freshRecords);
      await Promise.all(occurrences.map((o) => recordOccurrence(tx as unknown as Db, o)));
      return { stored: fresh.size, incidents: occurrences.length, predictions: rows.length };
    });
  };

  let written: { stored: number; incidents: number; predictions: number };
  try {
    try {
      written = await write();
    } catch (error) {
      // 23514 "no partition of relation found for row": retention dropped a day we remembered.
      if ((error as { code?: string }).code !== "23514" && causeCode(error) !== "23514") throw error;
      partitions.forget();
      written = await write();
    }
  } catch (error) {
    if (isRetryable(error)) {
      throw new ApiError(
        503,
        "database_unavailable",
        "The database is unavailable; retry later",
        undefined,
        5,
      );
    }
    throw error;
  }
  return {
    stored: written.stored,
    duplicates: records.length - written.stored,
    rejected,
    errorMessage,
    incidents: written.incidents,
    predictions: written.predictions,
  };
}

function causeCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } }).cause?.code;
}

/**
 * Besides what db/errors.ts knows as "unreachable": a database refusing connections
 * (ALLOW_CONNECTIONS false, 55000), and transient conflicts (serialization, deadlock) — all safe
 * for the client to retry since nothing was committed.
 */
function isRetryable(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(55000|40001|40P01|53\d{3}|57\w{3}|08\w{3})$/.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
