import type { AppDeps } from "../deps.ts";
import { dropExpiredPartitions } from "./store/partitions.ts";
import { retentionDays } from "./store/retention.ts";

export const RETENTION_JOB = "traces.retention";

/** Hourly: drop day partitions of spans older than the retention period. */
export function defineTraceJobs(deps: AppDeps): void {
  deps.jobs.define<{ retentionDays?: number }>({
    name: RETENTION_JOB,
    cron: "17 * * * *",
    retryLimit: 2,
    handler: async (data) => {
      const days = data?.retentionDays ?? retentionDays(deps.config);
      const dropped = await dropExpiredPartitions(deps.database, days);
      if (dropped.length) deps.log.info({ dropped, retentionDays: days }, "dropped expired span partitions");
    },
  });
}
