/** Shapes of the retraining API: zod schemas (published in /openapi.json); TS types come from them. */
import { z } from "@hono/zod-openapi";

export const retrainingStatuses = [
  "pending",
  "skipped",
  "failed",
  "requested",
  "queued",
  "in_progress",
  "completed",
] as const;
export const RetrainingStatus = z.enum(retrainingStatuses);
export type RetrainingStatus = z.infer<typeof RetrainingStatus>;

/** Statuses of a run that holds its model's one slot: dispatch queued, or running on GitHub. */
export const IN_FLIGHT: readonly RetrainingStatus[] = ["pending", "requested", "queued", "in_progress"];

export const skipReasons = ["policy_off", "in_flight", "cooldown", "no_installation"] as const;
export const SkipReason = z.enum(skipReasons);
export type SkipReason = z.infer<typeof SkipReason>;

export const retrainingTriggers = ["drift", "performance", "manual"] as const;
export type RetrainingTrigger = (typeof retrainingTriggers)[number];

const Metrics = z
  .record(z.string().min(1).max(200), z.union([z.number(), z.string().max(1000), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 100, { message: "at most 100 metrics" })
  .openapi({ description: "Evaluation of the new version: name → number (or short text)" });

export const RetrainingRun = z
  .object({
    id: z
      .string()
      .openapi({ description: "The dispatch id: the workflow's `dispatch_id` input and run-name" }),
    monitorId: z.string().nullable(),
    monitorName: z.string(),
    model: z.string(),
    modelVersion: z
      .string()
      .nullable()
      .openapi({ description: "The version serving when the run was requested" }),
    reportId: z.string().nullable(),
    incidentIds: z.array(z.string()),
    trigger: z.enum(retrainingTriggers),
    reason: z.string().nullable(),
    requestedBy: z.string(),
    forced: z.boolean(),
    repo: z.string(),
    workflow: z.string(),
    ref: z.string(),
    inputs: z.record(z.string(), z.string()),
    status: RetrainingStatus,
    skipReason: SkipReason.nullable().openapi({ description: "Why nothing was dispatched (status skipped)" }),
    message: z
      .string()
      .nullable()
      .openapi({ description: "What decided a skip, or why the dispatch failed" }),
    conclusion: z
      .string()
      .nullable()
      .openapi({ description: "GitHub's: success, failure, cancelled, timed_out…" }),
    runId: z.number().int().nullable(),
    runAttempt: z.number().int().nullable(),
    runUrl: z.string().nullable(),
    htmlUrl: z.string().nullable(),
    createdAt: z.string(),
    dispatchedAt: z.string().nullable(),
    runStartedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    lastHeardAt: z.string().nullable(),
    result: z
      .object({
        modelVersion: z.string(),
        metrics: z.record(z.string(), z.unknown()).nullable(),
        artifactUrl: z.string().nullable(),
        reportedAt: z.string(),
        auth: z.enum(["oidc", "api_key"]),
      })
      .nullable(),
    rebasedFrom: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "The monitor's reference before the new version replaced it" }),
  })
  .openapi("RetrainingRun");
export type RetrainingRun = z.infer<typeof RetrainingRun>;

export const RetrainingEvent = z
  .object({
    id: z.number().int(),
    at: z.string(),
    type: z.string(),
    status: RetrainingStatus,
    message: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("RetrainingEvent");
export type RetrainingEvent = z.infer<typeof RetrainingEvent>;

export const ManualRetrain = z
  .object({
    reason: z.string().trim().min(1).max(1000).optional(),
    force: z
      .boolean()
      .default(false)
      .openapi({ description: "Dispatch even inside the policy's cooldown (never beside a run in flight)" }),
  })
  .strict()
  .openapi("ManualRetrain");

export const RetrainingResult = z
  .object({
    modelVersion: z.string().trim().min(1).max(200),
    metrics: Metrics.optional(),
    artifactUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: "Where the trained model is (registry, bucket, release)" }),
  })
  .strict()
  .openapi("RetrainingResult");
export type RetrainingResult = z.infer<typeof RetrainingResult>;

export const ListQuery = z.object({
  model: z.string().min(1).max(200).optional(),
  monitor: z.uuid().optional().openapi({ description: "A monitor's id" }),
  status: RetrainingStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().openapi({ description: "nextCursor of the previous page" }),
});
