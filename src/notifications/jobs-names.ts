import type { AppDeps } from "../deps.ts";

export const DISPATCH_JOB = "notifications.dispatch";
export const DELIVER_JOB = "notifications.deliver";

/**
 * Asks a worker to route new incident events now rather than at the next minute's sweep. Best
 * effort: the events are already committed with pending_dispatch set, so a failed kick loses nothing.
 */
export async function kickDispatch(deps: Pick<AppDeps, "jobs" | "log">): Promise<void> {
  try {
    await deps.jobs.send(DISPATCH_JOB, {});
  } catch (error) {
    deps.log.debug({ err: error }, "could not enqueue notification dispatch; the cron sweep will");
  }
}
