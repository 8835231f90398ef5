import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { projectRef } from "./auth.ts";
import { monitors } from "./monitors.ts";

/**
 * One decision of the retraining loop (src/retraining/): a dispatch of the team's GitHub Actions
 * workflow and the run it became, or a decision not to dispatch (status `skipped`, with why). The
 * row's id is the dispatch id the workflow receives and puts in its run-name.
 */
export const retrainingRuns = pgTable(
  "retraining_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    /** Null once the monitor is deleted: the history of a model's retraining stays. */
    monitorId: uuid("monitor_id").references(() => monitors.id, { onDelete: "set null" }),
    monitorName: text("monitor_name").notNull(),
    model: text("model").notNull(),
    /** The model version serving when the run was requested (newest prediction's). */
    modelVersion: text("model_version"),
    reportId: uuid("report_id"),
    /** The drift incidents this run answers: they link it, and its success resolves them. */
    incidentIds: uuid("incident_ids").array().notNull().default(sql`'{}'::uuid[]`),
    /** drift | performance | manual */
    trigger: text("trigger").notNull(),
    reason: text("reason"),
    /** vigil (a drifted report) or api-key:<id> */
    requestedBy: text("requested_by").notNull(),
    forced: boolean("forced").notNull().default(false),
    repo: text("repo").notNull(),
    workflow: text("workflow").notNull(),
    ref: text("ref").notNull(),
    /** The workflow_dispatch inputs sent (or that would have been). */
    inputs: jsonb("inputs").notNull().default(sql`'{}'::jsonb`),
    /** pending | skipped | failed | requested | queued | in_progress | completed */
    status: text("status").notNull(),
    /** Why nothing was dispatched: policy_off | in_flight | cooldown | no_installation */
    skipReason: text("skip_reason"),
    /** What decided a skip, or GitHub's message for a failed dispatch. */
    message: text("message"),
    /** GitHub's conclusion of a completed run: success, failure, cancelled, timed_out… */
    conclusion: text("conclusion"),
    installationId: bigint("installation_id", { mode: "number" }),
    /** Dispatch requests sent to GitHub (a retry after a crash looks for the run first). */
    dispatchAttempts: integer("dispatch_attempts").notNull().default(0),
    runId: bigint("run_id", { mode: "number" }),
    runAttempt: integer("run_attempt"),
    /** The run in GitHub's API, and its page. */
    runUrl: text("run_url"),
    htmlUrl: text("html_url"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
    runStartedAt: timestamp("run_started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Last webhook or poll that told Vigil about the run: past VIGIL_RETRAIN_STALE_MINUTES it is polled. */
    lastHeardAt: timestamp("last_heard_at", { withTimezone: true }),
    /** What the workflow reported (POST /api/v1/retraining/{id}/result). */
    producedVersion: text("produced_version"),
    metrics: jsonb("metrics"),
    artifactUrl: text("artifact_url"),
    resultAt: timestamp("result_at", { withTimezone: true }),
    /** oidc | api_key */
    resultAuth: text("result_auth"),
    /** The monitor's reference before the result moved it to the new version (rebaseReference). */
    rebasedFrom: jsonb("rebased_from"),
  },
  (t) => [
    index("retraining_runs_project_idx").on(t.projectId, t.createdAt, t.id),
    index("retraining_runs_model_idx").on(t.projectId, t.model, t.createdAt),
    index("retraining_runs_monitor_idx").on(t.monitorId),
    index("retraining_runs_run_idx").on(t.runId),
    index("retraining_runs_active_idx")
      .on(t.status, t.lastHeardAt)
      .where(sql`${t.status} in ('pending', 'requested', 'queued', 'in_progress')`),
  ],
);

/** A retraining run's history: every decision, call, webhook, poll and result, in order. */
export const retrainingRunEvents = pgTable(
  "retraining_run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => retrainingRuns.id, { onDelete: "cascade" }),
    projectId: projectRef(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** requested | skipped | dispatched | dispatch_failed | webhook | polled | result | rebased | stale */
    type: text("type").notNull(),
    /** The run's status after the event. */
    status: text("status").notNull(),
    message: text("message"),
    data: jsonb("data").notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index("retraining_run_events_run_idx").on(t.runId, t.id)],
);
