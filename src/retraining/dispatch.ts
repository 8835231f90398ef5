/**
 * The `retraining.dispatch` job's work: a pending run is checked once more (the policy may have
 * been turned off since, the App may not be installed on the repository), then its workflow is
 * dispatched on GitHub. GitHub's answer moves the run to `requested` (with the run's id when GitHub
 * gives it), `failed` (404, 422: its message kept) or, for 5xx, network errors and rate limits,
 * leaves it pending for the job's next attempt.
 */
import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import { getMonitor } from "../drift/monitors/read.ts";
import { gitHubFor } from "../github/app.ts";
import { announceIncidentChanges } from "../incidents/events.ts";
import { DomainError } from "../lib/errors.ts";
import { decideDispatch } from "./decide.ts";
import type { RetrainingStatus, RetrainingTrigger } from "./model.ts";
import { policyOf } from "./request.ts";
import { advance } from "./run-state.ts";
import {
  addRunEvent,
  getRunById,
  inFlightRun,
  lastDispatchedAt,
  lockModel,
  lockRun,
  type RunRow,
  updateRun,
} from "./store.ts";
import { runName, tellIncidents } from "./timeline.ts";
import { dispatchWorkflow, findInstallation, findRunByDispatchId, gitHubMessage } from "./workflows.ts";

export interface DispatchOptions {
  /** The job's last attempt: a retryable failure fails the run instead of being thrown. */
  final: boolean;
  now?: () => Date;
}

export async function dispatchRun(
  deps: AppDeps,
  runId: string,
  options: DispatchOptions,
): Promise<RunRow | undefined> {
  const db = deps.database.db;
  const now = options.now ?? (() => new Date());
  const github = gitHubFor(deps);
  const log = deps.log.child({ retrainingRun: runId });
  const pending = await getRunById(db, runId);
  if (pending?.status !== "pending") return pending;

  try {
    const installationId = await findInstallation(github, pending.repo);
    const monitor = pending.monitorId
      ? await getMonitor(db, pending.projectId, pending.monitorId)
      : undefined;
    const checked = await withTransaction(db, async (tx) => {
      await lockModel(tx, pending.projectId, pending.model);
      const run = await lockRun(tx, runId);
      if (run?.status !== "pending") return { run, go: false as const };
      const other = await inFlightRun(tx, run.projectId, run.model, run.id);
      const decision = decideDispatch({
        trigger: run.trigger as RetrainingTrigger,
        policy: monitor ? policyOf(monitor).facts : null,
        inFlight: other,
        lastDispatchedAt: await lastDispatchedAt(tx, run.projectId, run.model),
        // A drifted report already passed the policy's `on`; a forced request already passed the cooldown.
        drifted: ["drift", "performance"],
        force: run.forced,
        now: now(),
        installationId,
        repo: run.repo,
      });
      if (decision.action === "skip") {
        const skipped = await updateRun(tx, run.id, {
          status: "skipped",
          skipReason: decision.reason,
          message: decision.message,
          installationId,
        });
        await addRunEvent(tx, skipped, {
          type: "skipped",
          status: "skipped",
          message: decision.message,
          data: { reason: decision.reason },
        });
        return { run: skipped, go: false as const };
      }
      const attempting = await updateRun(tx, run.id, {
        installationId,
        dispatchAttempts: run.dispatchAttempts + 1,
      });
      return { run: attempting, go: true as const, installationId: installationId! };
    });
    if (!checked.go) {
      if (checked.run?.status === "skipped")
        log.info({ reason: checked.run.skipReason }, "retraining skipped at dispatch");
      return checked.run;
    }
    const run = checked.run!;
    const octokit = await github.installationOctokit(checked.installationId);

    // An earlier attempt may have reached GitHub before its answer was lost: look for its run first.
    if (run.dispatchAttempts > 1) {
      const found = await findRunByDispatchId(octokit, {
        repo: run.repo,
        workflow: run.workflow,
        dispatchId: run.id,
        since: run.createdAt,
      });
      if (found)
        return dispatched(deps, run.id, now(), {
          run: { id: found.id, url: found.url ?? "", htmlUrl: found.html_url ?? "" },
          refusedDetails: false,
          adopted: true,
        });
    }

    const outcome = await dispatchWorkflow(octokit, {
      repo: run.repo,
      workflow: run.workflow,
      ref: run.ref,
      inputs: run.inputs as Record<string, string>,
    });
    if (!outcome.ok)
      return failed(deps, run.id, `GitHub answered ${outcome.status}: ${outcome.message}`, outcome.status);
    return dispatched(deps, run.id, now(), { ...outcome, adopted: false });
  } catch (error) {
    log.warn({ err: error, final: options.final }, "retraining dispatch failed");
    // No App to dispatch with: waiting out the retries would only hold the model's slot.
    if (error instanceof DomainError && error.code.startsWith("github_"))
      return failed(deps, runId, error.message);
    if (options.final) return failed(deps, runId, `Dispatch failed after retries: ${gitHubMessage(error)}`);
    throw error;
  }
}

async function dispatched(
  deps: AppDeps,
  runId: string,
  at: Date,
  outcome: { run?: { id: number; url: string; htmlUrl: string }; refusedDetails: boolean; adopted: boolean },
): Promise<RunRow | undefined> {
  const db = deps.database.db;
  let told = false;
  const run = await withTransaction(db, async (tx) => {
    const current = await lockRun(tx, runId);
    if (!current) return undefined;
    // A webhook may have told of the run already (matched by its run-name): never step back.
    const step = advance(
      {
        status: current.status as RetrainingStatus,
        attempt: current.runAttempt,
        conclusion: current.conclusion,
      },
      { status: "requested", attempt: 1, conclusion: null },
    );
    const updated = await updateRun(tx, runId, {
      ...(step.changed ? { status: "requested" } : {}),
      dispatchedAt: at,
      lastHeardAt: current.lastHeardAt ?? at,
      message: null,
      ...(outcome.run && current.runId === null
        ? { runId: outcome.run.id, runUrl: outcome.run.url || null, htmlUrl: outcome.run.htmlUrl || null }
        : {}),
    });
    await addRunEvent(tx, updated, {
      type: "dispatched",
      status: updated.status,
      message: outcome.adopted
        ? `an earlier attempt had dispatched it: run ${outcome.run?.id}`
        : outcome.run
          ? `run ${outcome.run.id}`
          : outcome.refusedDetails
            ? "GitHub refused return_run_details; dispatched without, the run is matched by its run-name"
            : "dispatched; GitHub gave no run id, the run is matched by its run-name",
      data: {
        ...(outcome.run ? { runId: outcome.run.id } : {}),
        refusedDetails: outcome.refusedDetails,
        ...(outcome.adopted ? { adopted: true } : {}),
      },
      at,
    });
    told = await tellIncidents(
      tx,
      updated,
      "retraining_started",
      `Retraining of ${updated.model} started: ${runName(updated)}`,
    );
    return updated;
  });
  if (told) await announceIncidentChanges(deps);
  deps.log.info({ retrainingRun: runId, runId: run?.runId, repo: run?.repo }, "retraining dispatched");
  return run;
}

async function failed(
  deps: AppDeps,
  runId: string,
  message: string,
  status?: number,
): Promise<RunRow | undefined> {
  let told = false;
  const run = await withTransaction(deps.database.db, async (tx) => {
    const current = await lockRun(tx, runId);
    if (current?.status !== "pending") return current;
    const updated = await updateRun(tx, runId, { status: "failed", message: message.slice(0, 2000) });
    await addRunEvent(tx, updated, {
      type: "dispatch_failed",
      status: "failed",
      message: updated.message,
      data: status !== undefined ? { status } : {},
    });
    told = await tellIncidents(
      tx,
      updated,
      "retraining_failed",
      `Retraining of ${updated.model} could not start: ${updated.message}`,
    );
    return updated;
  });
  if (told) await announceIncidentChanges(deps);
  deps.log.warn({ retrainingRun: runId, message }, "retraining dispatch failed");
  return run;
}
