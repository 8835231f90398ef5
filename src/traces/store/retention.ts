import type { Config } from "../../config.ts";

/**
 * How long spans are kept, in days (VIGIL_SPAN_RETENTION_DAYS). Spans starting earlier are rejected
 * at ingest (they would be dropped at once) and their day partitions are dropped by the
 * `traces.retention` job.
 */
export function retentionDays(config: Pick<Config, "VIGIL_SPAN_RETENTION_DAYS">): number {
  return config.VIGIL_SPAN_RETENTION_DAYS;
}
