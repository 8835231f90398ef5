/**
 * How long spans are kept, in days. Spans starting earlier are rejected at ingest (they would be
 * dropped at once) and their day partitions are dropped by the `traces.retention` job.
 * TODO(config owner): read VIGIL_SPAN_RETENTION_DAYS in src/config.ts and pass it here.
 */
export const DEFAULT_RETENTION_DAYS = 7;

export function retentionDays(config: object): number {
  const value = (config as { VIGIL_SPAN_RETENTION_DAYS?: unknown }).VIGIL_SPAN_RETENTION_DAYS;
  return typeof value === "number" && value > 0 ? value : DEFAULT_RETENTION_DAYS;
}
