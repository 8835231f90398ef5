/**
 * A drift incident's retraining runs, for its detail (`context.retraining`): app.ts hands this to
 * the incidents router, which does not know the retraining loop.
 */
import type { Database } from "../db/client.ts";
import { runsForIncident, toRun } from "./store.ts";

export async function retrainingIncidentContext(
  database: Database,
  incident: { id: string; projectId: string },
): Promise<Record<string, unknown>> {
  const runs = await runsForIncident(database.db, incident.projectId, incident.id);
  if (runs.length === 0) return {};
  return {
    retraining: runs.map((row) => {
      const r = toRun(row);
      return {
        id: r.id,
        status: r.status,
        skipReason: r.skipReason,
        message: r.message,
        conclusion: r.conclusion,
        htmlUrl: r.htmlUrl,
        modelVersion: r.result?.modelVersion ?? null,
        trigger: r.trigger,
        createdAt: r.createdAt,
        completedAt: r.completedAt,
      };
    }),
  };
}
