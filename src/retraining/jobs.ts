import type { AppDeps } from "../deps.ts";
import { DRIFT_REPORTED, type DriftReported } from "../drift/monitors/events.ts";
import { WORKFLOW_RUN_EVENT, WorkflowRunNotice } from "../github/workflow-runs.ts";
import { dispatchRun } from "./dispatch.ts";
import { DISPATCH_JOB, ON_DRIFT_JOB, POLL_JOB, RETENTION_JOB, WORKFLOW_RUN_JOB } from "./jobs-names.ts";
import { requestRetraining } from "./request.ts";
import { deleteOldSkipped } from "./store.ts";
import { applyNotice, pollStale } from "./track.ts";

/** Attempts of a dispatch after the first: 5xx, network errors and rate limits outlast Octokit's own retries. */
export const DISPATCH_RETRIES = 4;
/** Skipped decisions are kept this long (runs themselves stay: they are the model's history). */
export const SKIPPED_KEEP_DAYS = 90;

/**
 * The retraining loop's jobs. It hears of drifted reports and of workflow runs by subscribing to
 * what drift and the GitHub App announce (drift.reported, github.workflow_run), so neither imports
 * it. retraining.dispatch calls GitHub (one job per run, retried with backoff);
 * retraining.poll asks GitHub about runs not heard of for VIGIL_RETRAIN_STALE_MINUTES.
 */
export function defineRetrainingJobs(deps: AppDeps): void {
  deps.jobs.define<DriftReported>({
    name: ON_DRIFT_JOB,
    retryLimit: 3,
    retryDelaySeconds: 5,
    handler: async (event) => {
      await requestRetraining(deps, {
        projectId: event.projectId,
        monitorId: event.monitorId,
        trigger: event.triggers.includes("drift") ? "drift" : "performance",
        drifted: event.triggers,
        reportId: event.reportId,
        incidentIds: event.incidentIds,
        reason: `drifted report ${event.reportId}`,
        requestedBy: "vigil",
      });
    },
  });
  deps.jobs.subscribe(DRIFT_REPORTED, ON_DRIFT_JOB);

  deps.jobs.define<{ runId: string }>({
    name: DISPATCH_JOB,
    // Mostly waiting on GitHub; each installation has its own throttle lane.
    concurrency: 2,
    retryLimit: DISPATCH_RETRIES,
    retryDelaySeconds: 30,
    handler: async ({ runId }, job) => {
      await dispatchRun(deps, runId, { final: job.retryCount >= DISPATCH_RETRIES });
    },
  });

  deps.jobs.define<unknown>({
    name: WORKFLOW_RUN_JOB,
    retryLimit: 3,
    retryDelaySeconds: 5,
    handler: async (data) => {
      const notice = WorkflowRunNotice.safeParse(data);
      if (!notice.success) {
        deps.log.warn({ issues: notice.error.issues.length }, "ignored a malformed workflow run notice");
        return;
      }
      await applyNotice(deps, notice.data);
    },
  });
  deps.jobs.subscribe(WORKFLOW_RUN_EVENT, WORKFLOW_RUN_JOB);

  deps.jobs.define<Record<string, never>>({
    name: POLL_JOB,
    cron: "* * * * *",
    retryLimit: 0,
    handler: async () => {
      const polled = await pollStale(deps);
      if (polled.polled || polled.requeued) deps.log.info(polled, "retraining runs polled");
    },
  });

  deps.jobs.define<Record<string, never>>({
    name: RETENTION_JOB,
    cron: "41 3 * * *",
    retryLimit: 1,
    handler: async () => {
      const deleted = await deleteOldSkipped(
        deps.database.db,
        new Date(Date.now() - SKIPPED_KEEP_DAYS * 86_400_000),
      );
      if (deleted) deps.log.info({ deleted }, "retraining retention");
    },
  });
}
