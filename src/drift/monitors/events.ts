/**
 * What drift announces on the job queue when a monitor with a retraining policy reports drift:
 * whoever acts on it (the retraining loop) subscribes a queue to the event, so drift never
 * imports them. Public: other capabilities import the event's name and shape from here.
 */
import type { AppDeps } from "../../deps.ts";

export const DRIFT_REPORTED = "drift.reported";

/** Which verdicts of the report drifted: the dataset verdict, the performance incident. */
export type DriftTrigger = "drift" | "performance";

export interface DriftReported {
  projectId: string;
  monitorId: string;
  reportId: string;
  model: string;
  triggers: DriftTrigger[];
  /** The drift incidents the report opened or updated (one per trigger). */
  incidentIds: string[];
  at: string;
}

/**
 * Best effort, like incidents.changed: the report and its incidents are committed either way, and
 * the next drifted report announces again; a lost announcement is logged.
 */
export async function announceDriftReport(
  deps: Pick<AppDeps, "jobs" | "log">,
  event: DriftReported,
): Promise<void> {
  try {
    await deps.jobs.publish(DRIFT_REPORTED, event);
  } catch (error) {
    deps.log.warn({ err: error, monitorId: event.monitorId }, "could not announce a drifted report");
  }
}
