/**
 * Prediction retention (VIGIL_PREDICTION_RETENTION_DAYS): a daily job deletes prediction logs older
 * than the period, by their timestamp, and labels received that long ago (a label still waiting
 * for its prediction after the whole retention period will not be used). Deleted in batches, so
 * ingest is never blocked behind one long delete.
 */
import { deleteOlderThan } from "../db/batched-delete.ts";
import type { Database } from "../db/client.ts";
import type { AppDeps } from "../deps.ts";

export const PREDICTION_RETENTION_JOB = "predictions.retention";

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

export function definePredictionJobs(deps: AppDeps): void {
  deps.jobs.define<{ retentionDays?: number }>({
    name: PREDICTION_RETENTION_JOB,
    cron: "23 3 * * *",
    retryLimit: 2,
    handler: async (data) => {
      const days = data?.retentionDays ?? deps.config.VIGIL_PREDICTION_RETENTION_DAYS;
      const deleted = await deleteExpiredPredictions(deps.database, days);
      if (deleted.predictions || deleted.labels)
        deps.log.info({ ...deleted, retentionDays: days }, "deleted expired prediction logs");
    },
  });
}
