/**
 * Scheduling: one cron job (every minute) claims the monitors that are due — moving their
 * next_run_at on under SKIP LOCKED, so several workers never claim the same one — and enqueues a
 * run per monitor (singleton per monitor, so a slow run is not stacked up).
 */
import type { AppDeps } from "../../deps.ts";
import { announceDriftReport } from "./events.ts";
import { runMonitor } from "./run.ts";
import { claimDueMonitors, getMonitor } from "./store.ts";

export const DUE_JOB = "drift-monitors-due";
export const RUN_JOB = "drift-monitor-run";

export function defineMonitorJobs(deps: AppDeps): void {
  const db = deps.database.db;
  deps.jobs.define<Record<string, never>>({
    name: DUE_JOB,
    cron: "* * * * *",
    retryLimit: 0,
    handler: async () => {
      for (const due of await claimDueMonitors(db)) {
        await deps.jobs.send(
          RUN_JOB,
          { projectId: due.project_id, monitorId: due.id },
          { singletonKey: due.id },
        );
      }
    },
  });
  deps.jobs.define<{ projectId: string; monitorId: string }>({
    name: RUN_JOB,
    retryLimit: 2,
    handler: async ({ projectId, monitorId }) => {
      const monitor = await getMonitor(db, projectId, monitorId);
      if (!monitor?.enabled) return; // deleted or paused since it was claimed
      const report = await runMonitor(db, projectId, monitor, "schedule", new Date(), (event) =>
        announceDriftReport(deps, event),
      );
      deps.log.info(
        { monitorId, reportId: report.id, drifted: report.drifted, status: report.status },
        "monitor ran",
      );
    },
  });
}
