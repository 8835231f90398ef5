/**
 * Raw alert webhook payloads are kept VIGIL_ALERT_PAYLOAD_RETENTION_DAYS (they make a sender's
 * retry a no-op and show what arrived; the incidents they opened stay). A daily job deletes older
 * ones in batches.
 */
import { deleteOlderThan } from "../db/batched-delete.ts";
import type { Database } from "../db/client.ts";
import type { AppDeps } from "../deps.ts";

export const ALERT_RETENTION_JOB = "alerts.retention";

export function deleteExpiredAlertPayloads(
  database: Database,
  days: number,
  options: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  return deleteOlderThan(database, "alert_payloads", "received_at", days, options);
}

export function defineAlertJobs(deps: AppDeps): void {
  deps.jobs.define<{ retentionDays?: number }>({
    name: ALERT_RETENTION_JOB,
    cron: "29 3 * * *",
    retryLimit: 2,
    handler: async (data) => {
      const days = data?.retentionDays ?? deps.config.VIGIL_ALERT_PAYLOAD_RETENTION_DAYS;
      const deleted = await deleteExpiredAlertPayloads(deps.database, days);
      if (deleted) deps.log.info({ deleted, retentionDays: days }, "deleted expired alert payloads");
    },
  });
}
