/**
 * A retraining run's story on the drift incidents it answers: started, succeeded, failed are
 * timeline events of each incident (notifiable, so the notification rules deliver them), linking
 * the run.
 */
import type { Db } from "../db/client.ts";
import { getIncident } from "../incidents/read.ts";
import { addEvent, resolveIncident } from "../incidents/record.ts";
import type { RunRow } from "./store.ts";

export type RunEventType = "retraining_started" | "retraining_succeeded" | "retraining_failed";

/** What every timeline event says of the run: where to see it. */
export const runLink = (run: RunRow) => ({
  retrainingRunId: run.id,
  repo: run.repo,
  workflow: run.workflow,
  ...(run.runId !== null ? { runId: run.runId } : {}),
  ...(run.htmlUrl ? { htmlUrl: run.htmlUrl } : {}),
});

export const runName = (run: RunRow) => run.htmlUrl ?? `${run.repo} ${run.workflow} (dispatch ${run.id})`;

/** Adds the event to each of the run's incidents that still exists; true when any was written. */
export async function tellIncidents(
  tx: Db,
  run: RunRow,
  type: RunEventType,
  message: string,
  data: Record<string, unknown> = {},
): Promise<boolean> {
  let told = false;
  for (const incidentId of run.incidentIds) {
    if (!(await getIncident(tx, run.projectId, incidentId))) continue;
    await addEvent(tx, incidentId, run.projectId, {
      type,
      actor: "vigil",
      message,
      data: { ...runLink(run), ...data },
    });
    told = true;
  }
  return told;
}

/** Resolves the run's incidents that are open; true when any was. */
export async function resolveIncidents(tx: Db, run: RunRow, message: string): Promise<boolean> {
  let resolved = false;
  for (const incidentId of run.incidentIds) {
    const id = await resolveIncident(tx, run.projectId, incidentId, {
      actor: "vigil",
      message,
      data: runLink(run),
    });
    if (id) resolved = true;
  }
  return resolved;
}
