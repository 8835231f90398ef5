/**
 * Shapes of monitors and drift reports (zod, published in OpenAPI; TS types derived).
 */
import { z } from "@hono/zod-openapi";
import { isoInstant } from "../../http/bounded.ts";
import { ModelInputSchema } from "../../schemas/model-input.ts";
import { ColumnOptionsSchema, ColumnResultSchema, DistributionSchema } from "../stats/index.ts";

export const ReferenceSpec = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("range"),
      from: isoInstant(),
      to: isoInstant(),
    }),
    z.object({
      kind: z.literal("version"),
      version: z.string().min(1),
    }),
    z.object({
      kind: z.literal("rows"),
      /** Uploaded reference set (stored with the monitor), up to 50k rows. */
      rows: z
        .array(
          z.object({
            features: z.record(z.string(), z.unknown()),
            output: z.unknown().optional(),
            label: z.unknown().optional(),
          }),
        )
        .min(1)
        .max(50_000)
        .optional(),
    }),
  ])
  .openapi("MonitorReference");
export type ReferenceSpec = z.infer<typeof ReferenceSpec>;

export const CurrentSpec = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("window"),
      seconds: z
        .number()
        .int()
        .min(60)
        .max(366 * 86_400),
    }),
    z.object({ kind: z.literal("rows"), last: z.number().int().min(10).max(1_000_000) }),
  ])
  .openapi("MonitorCurrent");
export type CurrentSpec = z.infer<typeof CurrentSpec>;

/** Inputs Vigil sends itself; a policy's own `inputs` may not use these names. */
export const RESERVED_RETRAIN_INPUTS = [
  "model",
  "model_version",
  "monitor",
  "report_id",
  "dispatch_id",
] as const;

export const RetrainPolicy = z
  .object({
    repo: z
      .string()
      .max(140)
      .regex(/^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/, "owner/name")
      .openapi({ description: "The repository holding the retraining workflow (owner/name)" }),
    workflow: z
      .string()
      .min(1)
      .max(255)
      .regex(/^(\d{1,19}|[\w.-]+\.ya?ml)$/, "a workflow file name (retrain.yml) or numeric id")
      .openapi({ description: "The workflow's file name in .github/workflows, or its id" }),
    ref: z
      .string()
      .min(1)
      .max(255)
      .default("main")
      .openapi({ description: "The branch or tag to run it on" }),
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(366 * 86_400)
      .default(86_400)
      .openapi({ description: "No automatic dispatch this soon after the last one (a manual `force` may)" }),
    on: z
      .array(z.enum(["drift", "performance"]))
      .max(2)
      .default(["drift"])
      .openapi({ description: "Which drifted reports dispatch: dataset drift, the performance incident" }),
    inputs: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/, "a workflow input name")
          .refine((k) => !(RESERVED_RETRAIN_INPUTS as readonly string[]).includes(k), {
            message: `Vigil sends ${RESERVED_RETRAIN_INPUTS.join(", ")} itself`,
          }),
        z.string().max(1000),
      )
      .refine((r) => Object.keys(r).length <= 20, { message: "at most 20 inputs" })
      .optional()
      .openapi({ description: "More workflow_dispatch inputs, sent with Vigil's own five" }),
    rebaseReference: z.boolean().default(false).openapi({
      description: "When the run reports its new model version, make that version the monitor's reference",
    }),
    enabled: z
      .boolean()
      .default(true)
      .openapi({ description: "false: every trigger is recorded as skipped" }),
  })
  .strict()
  .openapi("RetrainPolicy");
export type RetrainPolicy = z.infer<typeof RetrainPolicy>;

export const MonitorOptions = z
  .object({
    datasetDriftShare: z.number().gt(0).lte(1).optional(),
    bins: z.number().int().min(2).max(1000).optional(),
    seed: z.number().int().nonnegative().optional(),
    /** Rows per window past which numerical features are tested on a seeded sample. */
    sampleCap: z.number().int().min(100).max(200_000).optional(),
    /** Fewer rows than this in either window → report status insufficient_data, no verdict. */
    minRows: z.number().int().min(1).optional(),
    /** Share of drifted components of the informative per-component ratio (default 0.2). */
    embeddingThreshold: z.number().gt(0).lte(1).optional(),
    /** p-value below which the embedding MMD test says a vector feature drifted (default 0.05). */
    embeddingPValue: z.number().gt(0).lt(1).optional(),
    /** classification | regression; inferred from the labels when absent. */
    task: z.enum(["classification", "regression"]).optional(),
    /** Performance drop (relative to the reference, e.g. 0.1 = 10%) that counts as degraded. */
    performanceDrop: z.number().gt(0).lte(1).optional(),
  })
  .strict()
  .openapi("MonitorOptions");
export type MonitorOptions = z.infer<typeof MonitorOptions>;

export const MonitorIn = z
  .object({
    name: z.string().min(1).max(200),
    model: z.string().min(1).max(200),
    features: z.array(z.string().min(1)).min(1).max(500).optional(),
    inputs: z
      .array(ModelInputSchema)
      .max(100)
      .optional()
      .openapi({
        description:
          "Where the model's features come from: dataset fields (`[{ dataset, namespace?, fields? }]`). " +
          "Declared as the model's lineage inputs, so a breaking schema change of one of these fields " +
          "lists the model in `GET /api/v1/datasets/{name}/impact` and in the schema incident. Several " +
          "monitors of one model (and `PUT /api/v1/models/{model}/inputs`) add up: the model reads the " +
          "union; deleting the monitor or dropping `inputs` withdraws only this monitor's part.",
      }),
    reference: ReferenceSpec,
    current: CurrentSpec.default({ kind: "window", seconds: 86_400 }),
    tests: z.record(z.string(), ColumnOptionsSchema).default({}),
    options: MonitorOptions.default({}),
    /** Seconds between scheduled runs; absent → on demand only. */
    scheduleSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .optional(),
    incidentPolicy: z
      .object({
        drift: z.boolean().default(true),
        performance: z.boolean().default(true),
        severity: z.enum(["critical", "error", "warning", "info"]).default("warning"),
      })
      .default({ drift: true, performance: true, severity: "warning" }),
    retrainPolicy: RetrainPolicy.optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi("MonitorIn");
export type MonitorIn = z.infer<typeof MonitorIn>;

export const Monitor = MonitorIn.omit({ reference: true })
  .extend({
    id: z.string(),
    reference: ReferenceSpec,
    referenceRows: z.number().int().optional(),
    nextRunAt: z.string().nullable(),
    lastRunAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Monitor");
export type Monitor = z.infer<typeof Monitor>;

export const FeatureResult = ColumnResultSchema.partial()
  .extend({
    name: z.string(),
    drifted: z.boolean(),
    /** Why no test ran (e.g. no values in the current window, type changed). */
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    sampled: z.boolean().optional(),
    distribution: DistributionSchema.optional().openapi({
      description:
        "The feature's values in the reference and current windows, binned alike (the sample when `sampled`). " +
        "Returned by GET /api/v1/reports/{id} and a run, not by the report list; absent for reports made " +
        "before distributions were stored.",
    }),
  })
  .openapi("DriftFeatureResult");
export type FeatureResult = z.infer<typeof FeatureResult>;

export const EmbeddingResult = z
  .object({
    name: z.string(),
    dimension: z.number().int(),
    /** The verdict's test: MMD (RBF kernel, median-heuristic bandwidth) with a seeded permutation p-value. */
    method: z.literal("mmd"),
    statistic: z.number().openapi({ description: "Biased MMD² between the two windows' vectors" }),
    pValue: z.number(),
    threshold: z.number().openapi({ description: "Drifted when the p-value is below this" }),
    drifted: z.boolean(),
    mmd: z.object({
      kernel: z.literal("rbf"),
      bandwidth: z.number(),
      permutations: z.number().int(),
      /** Vectors compared per window, after the cap. */
      referenceSize: z.number().int(),
      currentSize: z.number().int(),
      /** A window had more vectors than the cap and was subsampled (seeded). */
      sampled: z.boolean(),
    }),
    /** Evidently's "ratio" method (informative): each component tested (Wasserstein, normed, threshold 0.1). */
    componentRatio: z.object({
      driftedComponents: z.number().int(),
      share: z.number(),
      threshold: z.number(),
      drifted: z.boolean(),
    }),
    /** Distances between the two mean embeddings (informative). */
    cosineDistance: z.number().nullable(),
    euclideanDistance: z.number(),
    referenceSize: z.number().int(),
    currentSize: z.number().int(),
  })
  .openapi("EmbeddingDriftResult");
export type EmbeddingResult = z.infer<typeof EmbeddingResult>;

export const WindowInfo = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  rows: z.number().int(),
  sampled: z.number().int(),
  /** When the reference side came from the monitor's cache: when it was computed. */
  cachedAt: z.string().nullable().optional(),
});

export const Report = z
  .object({
    id: z.string(),
    monitorId: z.string(),
    createdAt: z.string(),
    trigger: z.enum(["schedule", "manual"]),
    status: z.enum(["ok", "insufficient_data", "error"]),
    drifted: z.boolean(),
    share: z.number().nullable(),
    reference: WindowInfo.partial(),
    current: WindowInfo.partial(),
    features: z.array(FeatureResult),
    prediction: FeatureResult.nullable(),
    performance: z.record(z.string(), z.unknown()).nullable(),
    embeddings: z.array(EmbeddingResult).nullable(),
    sampling: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int().nullable(),
  })
  .openapi("DriftReport");
export type Report = z.infer<typeof Report>;
