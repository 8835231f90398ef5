import type { AppDeps } from "../deps.ts";
import { gitHubFor } from "./app.ts";
import { handleEvent } from "./events.ts";
import { RETENTION_JOB, WEBHOOK_JOB } from "./jobs-names.ts";
import { deleteOld, finishDelivery, getDelivery } from "./store.ts";
import { announceWorkflowRun } from "./workflow-runs.ts";

/** Attempts of a delivery's job after the first (GitHub or the database may be briefly away). */
const WEBHOOK_RETRIES = 3;
/** GitHub offers redeliveries for 3 days; a delivery's id is kept longer so none is worked twice. */
export const DELIVERY_KEEP_DAYS = 14;
/** What Vigil posted stays listed (GET /api/v1/github/check-runs) this long. */
export const CHECK_RUN_KEEP_DAYS = 90;

/**
 * github.webhook works one stored delivery (installations tracked, PR checks run, dispatched
 * workflow runs announced); it outlives a
 * crash, since the delivery waits in github_webhook_deliveries. github.retention deletes old
 * deliveries and check-run records daily.
 */
export function defineGitHubJobs(deps: AppDeps): void {
  const github = gitHubFor(deps);
  const db = deps.database.db;
  deps.jobs.define<{ deliveryId: string }>({
    name: WEBHOOK_JOB,
    // Mostly waiting on GitHub: several deliveries at once, each installation throttled on its own.
    concurrency: 4,
    retryLimit: WEBHOOK_RETRIES,
    retryDelaySeconds: 10,
    handler: async ({ deliveryId }, job) => {
      const delivery = await getDelivery(db, deliveryId);
      if (!delivery || delivery.status === "done") return;
      const log = deps.log.child({ delivery: deliveryId, event: delivery.event, action: delivery.action });
      try {
        await handleEvent(
          {
            db,
            log,
            deliveryId,
            installationOctokit: (id) => github.installationOctokit(id),
            announceWorkflowRun: (notice) => announceWorkflowRun(deps.jobs, notice),
          },
          delivery.event,
          delivery.payload,
        );
        await finishDelivery(db, deliveryId, "done");
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.warn({ err: error, attempt: job.retryCount + 1 }, "GitHub delivery failed");
        if (job.retryCount >= WEBHOOK_RETRIES) await finishDelivery(db, deliveryId, "failed", message);
        throw error;
      }
    },
  });
  deps.jobs.define<Record<string, never>>({
    name: RETENTION_JOB,
    cron: "23 3 * * *",
    retryLimit: 1,
    handler: async () => {
      const day = 86_400_000;
      const deleted = await deleteOld(db, {
        deliveries: new Date(Date.now() - DELIVERY_KEEP_DAYS * day),
        checkRuns: new Date(Date.now() - CHECK_RUN_KEEP_DAYS * day),
      });
      if (deleted.deliveries || deleted.checkRuns) deps.log.info(deleted, "GitHub retention");
    },
  });
}
