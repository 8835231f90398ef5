import type { AppDeps } from "../deps.ts";
import { checkContractBatchRules } from "./batch-check.ts";
import { deleteExpiredPredictions } from "./retention.ts";

export const PREDICTION_RETENTION_JOB = "predictions.retention";
export const CONTRACT_BATCH_RULES_JOB = "predictions.contract-batch-rules";

/** Prediction retention, daily; the model contracts' batch rules, every five minutes. */
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
  deps.jobs.define<Record<string, never>>({
    name: CONTRACT_BATCH_RULES_JOB,
    cron: "*/5 * * * *",
    retryLimit: 0,
    handler: async () => {
      const { failing } = await checkContractBatchRules(deps.database.db);
      if (failing) deps.log.info({ failing }, "model contracts breaking their batch rules");
    },
  });
}
