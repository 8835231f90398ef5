/**
 * A trigger for retraining — a drifted report of a monitor with a retraining policy, or a person's
 * POST …/retrain — becomes a decision, recorded either way: a `pending` run whose dispatch is
 * queued (dispatch.ts), or a `skipped` one saying why not.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import { withTransaction } from "../db/transaction.ts";
import type { AppDeps } from "../deps.ts";
import type { DriftTrigger } from "../drift/monitors/events.ts";
import {
  driftFingerprint,
  getMonitor,
  latestReportId,
  type Monitor,
  RetrainPolicy,
  servingVersion,
} from "../drift/monitors/read.ts";
import { unresolvedByPrefix } from "../incidents/record.ts";
import { DomainError } from "../lib/errors.ts";
import { type Decision, type DecisionFacts, decideDispatch } from "./decide.ts";
import { DISPATCH_JOB } from "./jobs-names.ts";
import type { RetrainingTrigger } from "./model.ts";
import {
  addRunEvent,
  inFlightRun,
  insertRun,
  lastDispatchedAt,
  lockModel,
  type RunRow,
  updateRun,
} from "./store.ts";

export interface RetrainRequest {
  projectId: string;
  monitorId: string;
  trigger: RetrainingTrigger;
  /** A drifted report: what drifted in it. */
  drifted?: DriftTrigger[];
  reportId?: string | null;
  incidentIds?: string[];
  reason?: string;
  /** vigil, or api-key:<id> */
  requestedBy: string;
  force?: boolean;
  now?: Date;
}

export interface Requested {
  run: RunRow;
  decision: Decision;
}

/** The stored policy as the current schema reads it (defaults applied), or why it does not validate. */
export function policyOf(m: Monitor): { policy: RetrainPolicy | null; facts: DecisionFacts["policy"] } {
  if (!m.retrainPolicy) return { policy: null, facts: null };
  const parsed = RetrainPolicy.safeParse(m.retrainPolicy);
  if (!parsed.success)
    return { policy: null, facts: { invalid: parsed.error.issues.map((i) => i.message).join("; ") } };
  const p = parsed.data;
  return { policy: p, facts: { enabled: p.enabled, on: p.on, cooldownSeconds: p.cooldownSeconds } };
}

/** Where a policy that no longer validates pointed, for the skipped record. */
function target(m: Monitor, policy: RetrainPolicy | null) {
  const raw = (m.retrainPolicy ?? {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === "string" ? v.slice(0, 255) : fallback);
  return {
    repo: policy?.repo ?? str(raw.repo, ""),
    workflow: policy?.workflow ?? str(raw.workflow, ""),
    ref: policy?.ref ?? str(raw.ref, "main"),
  };
}

/**
 * Decides and records. Undefined when there is nothing to decide about: the monitor is gone, or a
 * drifted report's monitor has no policy any more. A person asking for a monitor without a policy
 * is told so (422).
 */
export async function requestRetraining(deps: AppDeps, req: RetrainRequest): Promise<Requested | undefined> {
  const db = deps.database.db;
  const now = req.now ?? new Date();
  const monitor = await getMonitor(db, req.projectId, req.monitorId);
  if (!monitor) return undefined;
  if (!monitor.retrainPolicy) {
    if (req.trigger !== "manual") return undefined;
    throw new DomainError(
      "unprocessable",
      "no_retrain_policy",
      `Monitor ${monitor.name} has no retrainPolicy: set { repo, workflow, ref } on it first`,
    );
  }
  const { policy, facts } = policyOf(monitor);
  const reportId = req.reportId ?? (await latestReportId(db, req.projectId, monitor.id));
  const incidentIds = req.incidentIds ?? (await openDriftIncidents(db, req.projectId, monitor.id));
  const modelVersion = await servingVersion(db, req.projectId, monitor.model);
  const id = randomUUID();
  const inputs: Record<string, string> = {
    ...(policy?.inputs ?? {}),
    model: monitor.model,
    model_version: modelVersion ?? "",
    monitor: monitor.name,
    report_id: reportId ?? "",
    dispatch_id: id,
  };

  const requested = await withTransaction(db, async (tx) => {
    await lockModel(tx, req.projectId, monitor.model);
    const decision = decideDispatch({
      trigger: req.trigger,
      ...(req.drifted ? { drifted: req.drifted } : {}),
      policy: facts,
      inFlight: await inFlightRun(tx, req.projectId, monitor.model),
      lastDispatchedAt: await lastDispatchedAt(tx, req.projectId, monitor.model),
      force: req.force ?? false,
      now,
    });
    const skipped = decision.action === "skip" ? decision : undefined;
    const run = await insertRun(tx, {
      id,
      projectId: req.projectId,
      monitorId: monitor.id,
      monitorName: monitor.name,
      model: monitor.model,
      modelVersion,
      reportId,
      incidentIds,
      trigger: req.trigger,
      reason: req.reason ?? null,
      requestedBy: req.requestedBy,
      forced: decision.action !== "skip" && decision.forced,
      ...target(monitor, policy),
      inputs,
      status: skipped ? "skipped" : "pending",
      skipReason: skipped?.reason ?? null,
      message: skipped?.message ?? null,
      createdAt: now,
    });
    await addRunEvent(tx, run, {
      type: skipped ? "skipped" : "requested",
      status: run.status,
      message: skipped?.message ?? `dispatch queued (${req.trigger})`,
      data: {
        trigger: req.trigger,
        ...(req.drifted ? { drifted: req.drifted } : {}),
        ...(skipped ? { reason: skipped.reason } : {}),
        ...(skipped?.until ? { until: skipped.until.toISOString() } : {}),
        ...(run.forced ? { forced: true } : {}),
      },
      at: now,
    });
    return { run, decision };
  });

  if (requested.run.status === "pending") {
    try {
      await deps.jobs.send(DISPATCH_JOB, { runId: requested.run.id }, { singletonKey: requested.run.id });
    } catch (error) {
      // The run must not hold the model's slot for a dispatch nobody will send.
      await withTransaction(db, async (tx) => {
        const run = await updateRun(tx, requested.run.id, {
          status: "failed",
          message: "The dispatch could not be queued",
        });
        await addRunEvent(tx, run, { type: "dispatch_failed", status: "failed", message: run.message });
      });
      throw error;
    }
  }
  deps.log.info(
    {
      retrainingRun: requested.run.id,
      monitorId: monitor.id,
      model: monitor.model,
      trigger: req.trigger,
      decision: requested.decision.action,
      ...(requested.decision.action === "skip" ? { reason: requested.decision.reason } : {}),
    },
    "retraining requested",
  );
  return requested;
}

/** The monitor's unresolved drift incidents (dataset and performance share its fingerprint's prefix). */
async function openDriftIncidents(db: Db, projectId: string, monitorId: string): Promise<string[]> {
  const open = await unresolvedByPrefix(db, projectId, "drift", driftFingerprint(monitorId));
  return open.map((i) => i.id);
}
