import { isRetryableError } from "../db/errors.ts";
import { ApiError } from "../http/errors.ts";
import { derivedJson, derivingSpans } from "./derived.ts";
import type { DecodedSpan } from "./model.ts";
import { daysOf } from "./partitions.ts";
import { prepareSpans } from "./store.ts";
import { validateSpans } from "./validate.ts";
import type { SpanWriter } from "./writer.ts";

export interface AcceptResult {
  /** Valid spans queued for the span store. */
  accepted: number;
  rejected: number;
  errorMessage: string;
}

export interface IngestOptions {
  retentionDays: number;
  now?: Date;
}

/**
 * Validate → refuse if the queue is full (429) → queue the batch, prepared for the insert, in one
 * committed statement (src/traces/writer.ts writes it to the span store). A request is answered
 * only once its batch is committed, so nothing acknowledged is lost; a database that cannot take
 * it is a 503 the client retries.
 */
export async function acceptSpans(
  writer: SpanWriter,
  projectId: string,
  decoded: DecodedSpan[],
  malformed: string[],
  options: IngestOptions,
): Promise<AcceptResult> {
  const now = options.now ?? new Date();
  const { records, rejected, errorMessage } = validateSpans(
    decoded,
    { nowNs: BigInt(now.getTime()) * 1_000_000n, retentionDays: options.retentionDays },
    malformed,
  );
  if (!records.length) return { accepted: 0, rejected, errorMessage };
  writer.admit(records.length);
  const batch = prepareSpans(records);
  const days = daysOf(records.map((r) => r.startNs));
  try {
    await writer.enqueue(projectId, batch, days, derivedJson(derivingSpans(records)));
  } catch (error) {
    if (isRetryableError(error)) {
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
  return { accepted: records.length, rejected, errorMessage };
}
