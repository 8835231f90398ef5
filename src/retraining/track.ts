/**
 * Following dispatched runs: what GitHub says of a workflow run — a `workflow_run` webhook passed on
 * by the GitHub capability, or a poll of a run Vigil has not heard of for
 * VIGIL_RETRAIN_STALE_MINUTES — moves the matching run forward (run-state.ts: never back), and a
 * run that ends tells its incidents.
 */
import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import { gitHubFor } from "../github/app.ts";
import { runNotice, type WorkflowRunNotice } from "../github/workflow-runs.ts";
import { announceIncidentChanges } from "../incidents/events.ts";
import { DISPATCH_JOB } from "./jobs-names.ts";
import type { RetrainingStatus } from "./model.ts";
import { advance, dispatchIdsIn, runStatus } from "./run-state.ts";
import {
  addRunEvent,
  lockRun,
  pendingSince,
  type RunRow,
  runsMatching,
  staleRuns,
  updateRun,
} from "./store.ts";
import { runName, tellIncidents } from "./timeline.ts";
import { findRunByDispatchId, getWorkflowRun } from "./workflows.ts";

/** A dispatch whose run GitHub has not shown after this long never started one (a run-name without the id). */
export const NO_RUN_GIVE_UP_MS = 24 * 3_600_000;
/** A pending run whose dispatch job is this old was lost (a queue wiped): queued again. */
const PENDING_REQUEUE_MS = 10 * 60_000;

const date = (s: string | null | undefined) => (s ? new Date(s) : null);

/** Applies a notice to every run it matches (by run id, else by the dispatch id in its title). */
export async function applyNotice(
  deps: AppDeps,
  notice: WorkflowRunNotice,
  now = new Date(),
): Promise<{ matched: number; changed: number }> {
  const matches = await runsMatching(deps.database.db, {
    repository: notice.repository,
    runId: notice.runId,
    dispatchIds: dispatchIdsIn(notice.displayTitle),
  });
  let changed = 0;
  for (const { id } of matches) if (await applyToRun(deps, id, notice, now)) changed++;
  return { matched: matches.length, changed };
}

/** Applies what GitHub says of the run to one retraining run; true when its state moved. */
export async function applyToRun(
  deps: AppDeps,
  id: string,
  notice: WorkflowRunNotice,
  now = new Date(),
): Promise<boolean> {
  let told = false;
  const moved = await withTransaction(deps.database.db, async (tx) => {
    const run = await lockRun(tx, id);
    if (!run || (run.runId !== null && run.runId !== notice.runId)) return false;
    const heard = {
      status: runStatus(notice.status),
      attempt: notice.runAttempt,
      conclusion: notice.conclusion,
    };
    const step = advance(
      { status: run.status as RetrainingStatus, attempt: run.runAttempt, conclusion: run.conclusion },
      heard,
    );
    const identity = {
      ...(run.runId === null ? { runId: notice.runId } : {}),
      ...(!run.runUrl && notice.url ? { runUrl: notice.url } : {}),
      ...(!run.htmlUrl && notice.htmlUrl ? { htmlUrl: notice.htmlUrl } : {}),
    };
    const updated = await updateRun(tx, id, {
      ...identity,
      lastHeardAt: now,
      ...(step.changed
        ? {
            status: step.next.status,
            runAttempt: step.next.attempt,
            conclusion: step.next.conclusion,
            runStartedAt:
              step.next.status === "in_progress" || step.next.status === "completed"
                ? (date(notice.runStartedAt) ?? run.runStartedAt)
                : run.runStartedAt,
            completedAt: step.next.status === "completed" ? (date(notice.updatedAt) ?? now) : null,
            // A run GitHub shows was dispatched, whatever the dispatch call's answer was.
            dispatchedAt: run.dispatchedAt ?? date(notice.createdAt) ?? now,
            message: run.status === "failed" ? null : run.message,
          }
        : {}),
    });
    await addRunEvent(tx, updated, {
      type: notice.source === "webhook" ? "webhook" : "polled",
      status: updated.status,
      message: step.changed
        ? `${notice.status}${notice.conclusion ? ` (${notice.conclusion})` : ""}, attempt ${notice.runAttempt}`
        : `ignored ${notice.status}, attempt ${notice.runAttempt}: ${step.why}`,
      data: {
        runId: notice.runId,
        runAttempt: notice.runAttempt,
        githubStatus: notice.status,
        conclusion: notice.conclusion,
        ...(notice.deliveryId ? { deliveryId: notice.deliveryId } : {}),
      },
      at: now,
    });
    if (step.changed && step.finished === "failure")
      told = await tellIncidents(
        tx,
        updated,
        "retraining_failed",
        `Retraining of ${updated.model} ended ${updated.conclusion}: ${runName(updated)}`,
        { conclusion: updated.conclusion },
      );
    if (step.changed && step.finished === "success" && updated.resultAt === null)
      told = await tellIncidents(
        tx,
        updated,
        "retraining_succeeded",
        `Retraining of ${updated.model} succeeded but reported no model version (is the report step in the workflow?): ${runName(updated)}`,
        { conclusion: "success" },
      );
    return step.changed;
  });
  if (told) await announceIncidentChanges(deps);
  return moved;
}

/**
 * Asks GitHub about every dispatched run Vigil has heard nothing of for the stale period: by run
 * id, or — when GitHub did not say which run a dispatch became — by the dispatch id in the
 * run-name. One that cannot be found fails after a day. Pending runs whose dispatch job was lost
 * are queued again.
 */
export async function pollStale(
  deps: AppDeps,
  now = new Date(),
): Promise<{ polled: number; moved: number; failed: number; requeued: number }> {
  const db = deps.database.db;
  const github = gitHubFor(deps);
  const before = new Date(now.getTime() - deps.config.VIGIL_RETRAIN_STALE_MINUTES * 60_000);
  const out = { polled: 0, moved: 0, failed: 0, requeued: 0 };
  for (const run of await staleRuns(db, before)) {
    out.polled++;
    try {
      if (run.installationId === null) throw new Error("the run has no installation recorded");
      const octokit = await github.installationOctokit(run.installationId);
      const found =
        run.runId !== null
          ? await getWorkflowRun(octokit, run.repo, run.runId)
          : await findRunByDispatchId(octokit, {
              repo: run.repo,
              workflow: run.workflow,
              dispatchId: run.id,
              since: run.dispatchedAt ?? run.createdAt,
            });
      if (found) {
        const notice = runNotice(found, {
          source: "poll",
          repository: run.repo,
          installationId: run.installationId,
        });
        if (await applyToRun(deps, run.id, notice, now)) out.moved++;
        continue;
      }
      const since = (run.dispatchedAt ?? run.createdAt).getTime();
      if (run.runId !== null || now.getTime() - since > NO_RUN_GIVE_UP_MS) {
        await lost(
          deps,
          run,
          run.runId !== null
            ? `GitHub no longer knows run ${run.runId} (deleted, or the repository is gone)`
            : "GitHub shows no run carrying this dispatch id in its run-name a day after the dispatch: does the workflow's run-name include inputs.dispatch_id?",
          now,
        );
        out.failed++;
      } else {
        await withTransaction(db, async (tx) => {
          const updated = await updateRun(tx, run.id, { lastHeardAt: now });
          await addRunEvent(tx, updated, {
            type: "polled",
            status: updated.status,
            message: "no run with this dispatch id in its run-name yet",
            at: now,
          });
        });
      }
    } catch (error) {
      deps.log.warn(
        { err: error, retrainingRun: run.id },
        "could not poll a retraining run; next sweep retries",
      );
    }
  }
  for (const run of await pendingSince(db, new Date(now.getTime() - PENDING_REQUEUE_MS))) {
    // singletonKey: a dispatch job still queued or running for the run is not doubled.
    if (await deps.jobs.send(DISPATCH_JOB, { runId: run.id }, { singletonKey: run.id })) out.requeued++;
  }
  return out;
}

async function lost(deps: AppDeps, run: RunRow, message: string, now: Date) {
  let told = false;
  await withTransaction(deps.database.db, async (tx) => {
    const current = await lockRun(tx, run.id);
    if (!current || current.status !== run.status) return;
    const updated = await updateRun(tx, run.id, { status: "failed", message, lastHeardAt: now });
    await addRunEvent(tx, updated, { type: "stale", status: "failed", message, at: now });
    told = await tellIncidents(
      tx,
      updated,
      "retraining_failed",
      `Retraining of ${updated.model} lost: ${message}`,
    );
  });
  if (told) await announceIncidentChanges(deps);
}
