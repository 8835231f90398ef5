/**
 * What the workflow reports when it has trained: the new model version, its metrics, where it is.
 * Vigil records it on the run, resolves the drift incidents the run answers (their timeline links
 * the run), and — when the monitor's policy says `rebaseReference` — makes the new version the
 * monitor's reference.
 */
import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import { getMonitor } from "../drift/monitors/read.ts";
import { rebaseReference } from "../drift/monitors/reference.ts";
import { announceIncidentChanges } from "../incidents/events.ts";
import { conflictError, DomainError } from "../lib/errors.ts";
import type { RetrainingResult } from "./model.ts";
import { policyOf } from "./request.ts";
import { addRunEvent, lockRun, type RunRow, updateRun } from "./store.ts";
import { resolveIncidents, runName, tellIncidents } from "./timeline.ts";

export interface ResultAuth {
  kind: "oidc" | "api_key";
  /** From the run's OIDC token: the run and attempt that reported. */
  runId?: number;
  runAttempt?: number;
  /** Who: the token's subject, or api-key:<id>. */
  by: string;
}

export async function recordResult(
  deps: AppDeps,
  runId: string,
  result: RetrainingResult,
  auth: ResultAuth,
  now = new Date(),
): Promise<RunRow> {
  let told = false;
  const run = await withTransaction(deps.database.db, async (tx) => {
    const current = await lockRun(tx, runId);
    if (!current) throw conflictError("The run disappeared while its result was recorded");
    if (current.status === "skipped")
      throw new DomainError(
        "conflict",
        "retraining_skipped",
        `Retraining ${runId} was never dispatched (${current.skipReason}): it has no run to report`,
      );
    const first = current.resultAt === null;
    let updated = await updateRun(tx, runId, {
      producedVersion: result.modelVersion,
      metrics: result.metrics ?? null,
      artifactUrl: result.artifactUrl ?? null,
      resultAt: now,
      resultAuth: auth.kind,
      lastHeardAt: now,
      ...(current.runId === null && auth.runId !== undefined ? { runId: auth.runId } : {}),
    });
    await addRunEvent(tx, updated, {
      type: "result",
      status: updated.status,
      message: `model version ${result.modelVersion}${first ? "" : " (reported again)"}`,
      data: {
        modelVersion: result.modelVersion,
        ...(result.metrics ? { metrics: result.metrics } : {}),
        ...(result.artifactUrl ? { artifactUrl: result.artifactUrl } : {}),
        auth: auth.kind,
        by: auth.by,
        ...(auth.runAttempt !== undefined ? { runAttempt: auth.runAttempt } : {}),
      },
      at: now,
    });

    const monitor = updated.monitorId
      ? await getMonitor(tx, updated.projectId, updated.monitorId)
      : undefined;
    const policy = monitor ? policyOf(monitor).policy : null;
    if (monitor && policy?.rebaseReference) {
      const before = await rebaseReference(tx, updated.projectId, monitor.id, result.modelVersion);
      if (before) {
        // The first reference this loop replaced is the one worth keeping to go back to.
        updated = await updateRun(tx, runId, { rebasedFrom: updated.rebasedFrom ?? before });
        await addRunEvent(tx, updated, {
          type: "rebased",
          status: updated.status,
          message: `monitor ${monitor.name} now compares against version ${result.modelVersion}`,
          data: {
            monitorId: monitor.id,
            from: before,
            to: { kind: "version", version: result.modelVersion },
          },
          at: now,
        });
      }
    }

    if (first) {
      // A run that completed before reporting has told its incidents it succeeded already.
      const toldSuccess = current.status === "completed" && current.conclusion === "success";
      const metrics = result.metrics ? { metrics: result.metrics } : {};
      const artifact = result.artifactUrl ? { artifactUrl: result.artifactUrl } : {};
      if (!toldSuccess)
        told = await tellIncidents(
          tx,
          updated,
          "retraining_succeeded",
          `Retraining produced ${updated.model} version ${result.modelVersion}: ${runName(updated)}`,
          { modelVersion: result.modelVersion, ...metrics, ...artifact },
        );
      const resolved = await resolveIncidents(
        tx,
        updated,
        `retrained: ${updated.model} version ${result.modelVersion} (${runName(updated)})`,
      );
      told = told || resolved;
    }
    return updated;
  });
  if (told) await announceIncidentChanges(deps);
  deps.log.info(
    { retrainingRun: runId, modelVersion: result.modelVersion, auth: auth.kind },
    "retraining result recorded",
  );
  return run;
}
