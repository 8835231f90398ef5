import type { AppDeps } from "../deps.ts";
import { checkDatasetFreshness } from "./contracts/enforce.ts";

export const DATASET_FRESHNESS_JOB = "schemas.dataset-contract-freshness";

/**
 * Dataset contracts' freshness is about a write that did *not* happen, so no ingest request can
 * see it: it is checked every five minutes.
 */
export function defineSchemaJobs(deps: AppDeps): void {
  deps.jobs.define<Record<string, never>>({
    name: DATASET_FRESHNESS_JOB,
    cron: "*/5 * * * *",
    retryLimit: 0,
    handler: async () => {
      const { failing } = await checkDatasetFreshness(deps.database.db);
      if (failing) deps.log.info({ failing }, "dataset contracts past their freshness");
    },
  });
}
