/**
 * What other capabilities may read of monitors (the retraining loop): a monitor, its newest
 * report, the fingerprints of its drift incidents, and the model version now serving. Writes
 * stay in drift, except moving the reference (reference.ts).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { rowsOf } from "../../db/rows.ts";

export { type Monitor, RetrainPolicy } from "./model.ts";
export { getMonitor } from "./store.ts";

/** The monitor's `drift` incident (dataset drift); one per monitor. */
export const driftFingerprint = (monitorId: string) => `monitor:${monitorId}`;
/** The monitor's performance incident (also kind `drift`). */
export const performanceFingerprint = (monitorId: string) => `monitor:${monitorId}:performance`;

/** The id of the monitor's newest report, if it has one. */
export async function latestReportId(db: Db, projectId: string, monitorId: string): Promise<string | null> {
  const [row] = rowsOf<{ id: string }>(
    await db.execute(
      sql`select id from drift_reports where project_id = ${projectId}::uuid and monitor_id = ${monitorId}::uuid
          order by created_at desc limit 1`,
    ),
  );
  return row?.id ?? null;
}

/** The model version of the model's newest prediction: the one serving now, as far as Vigil knows. */
export async function servingVersion(db: Db, projectId: string, model: string): Promise<string | null> {
  const [row] = rowsOf<{ v: string | null }>(
    await db.execute(
      sql`select model_version as v from predictions where project_id = ${projectId}::uuid and model = ${model}
          order by ts desc limit 1`,
    ),
  );
  return row?.v ?? null;
}
