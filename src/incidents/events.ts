import type { AppDeps } from "../deps.ts";

/** Published on the job queue when someone changed incidents (notifications subscribe to it). */
export const INCIDENTS_CHANGED = "incidents.changed";

/**
 * Asks whoever listens to look at new incident events now rather than at their next sweep. Best
 * effort: the events are already committed (with pending_dispatch set), so a lost announcement
 * loses nothing but a minute.
 */
export async function announceIncidentChanges(deps: Pick<AppDeps, "jobs" | "log">): Promise<void> {
  try {
    await deps.jobs.publish(INCIDENTS_CHANGED);
  } catch (error) {
    deps.log.debug({ err: error }, "could not announce incident changes; subscribers sweep anyway");
  }
}
