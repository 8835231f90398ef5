import { isRetryableError } from "../db/errors.ts";
import { DomainError } from "../lib/errors.ts";
import type { PreparedExport } from "./prepare/export.ts";
import type { SpanWriter } from "./store/writer.ts";

/**
 * Queues a prepared export (prepare/export.ts): refused as busy (429) when the queue is full, else
 * one committed statement (store/writer.ts writes it to the span store). A request is answered
 * only once its batch is committed, so nothing acknowledged is lost; a database that cannot take
 * it is a 503 the client retries.
 */
export async function acceptSpans(
  writer: SpanWriter,
  projectId: string,
  prepared: PreparedExport,
): Promise<void> {
  const { batch } = prepared;
  if (!batch) return;
  writer.admit(batch.count);
  try {
    await writer.enqueue(projectId, batch);
  } catch (error) {
    if (isRetryableError(error)) {
      throw new DomainError(
        "unavailable",
        "database_unavailable",
        "The database is unavailable; retry later",
        undefined,
        5,
      );
    }
    throw error;
  }
}
