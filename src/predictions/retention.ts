/**
 * Prediction retention (VIGIL_PREDICTION_RETENTION_DAYS): a daily job (jobs.ts) deletes prediction logs older
 * than the period, by their timestamp, and labels received that long ago (a label still waiting
 * for its prediction after the whole retention period will not be used). Deleted in batches, so
 * ingest is never blocked behind one long delete.
 */
import { deleteOlderThan } from "../db/batched-delete.ts";
import type { Database } from "../db/client.ts";

export async function deleteExpiredPredictions(
  database: Database,
  days: number,
  options: { now?: Date; batchSize?: number } = {},
): Promise<{ predictions: number; labels: number }> {
  const o = { ...options, now: options.now ?? new Date() }; // one cutoff for both tables
  const predictions = await deleteOlderThan(database, "predictions", "ts", days, o);
  const labels = await deleteOlderThan(database, "prediction_labels", "received_at", days, o);
  return { predictions, labels };
}
