/**
 * Shapes of the prediction-log API: one prediction row, one label, a data contract. zod schemas
 * (from @hono/zod-openapi so routes publish them); TS types come from them.
 */
import { z } from "@hono/zod-openapi";
import { epochMillis, isoInstant } from "../http/bounded.ts";
import { FieldRule } from "../schemas/contracts/rules.ts";
import { ModelInputSchema } from "../schemas/model-input.ts";

export const MAX_ROWS_PER_REQUEST = 100_000;

/** A feature value: scalar, null, or a vector (embedding). */
export const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.number())]);
export type FeatureValue = z.infer<typeof FeatureValue>;

/** ISO 8601 with an offset, or epoch milliseconds. */
export const Timestamp = z.union([isoInstant(), epochMillis()]);

const RequestId = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);

export const PredictionIn = z
  .object({
    model: z.string().min(1).max(200),
    modelVersion: z.string().min(1).max(200).optional(),
    timestamp: Timestamp.optional(),
    requestId: RequestId.optional(),
    features: z.record(z.string().min(1).max(200), FeatureValue),
    output: z
      .union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.record(z.string(), z.unknown())])
      .nullable()
      .optional(),
    label: z.unknown().optional(),
  })
  .openapi("PredictionIn");
export type PredictionIn = z.infer<typeof PredictionIn>;

export const LabelIn = z
  .object({
    /** When absent the label applies to every model's prediction with this request id. */
    model: z.string().min(1).max(200).optional(),
    requestId: RequestId,
    label: z.union([
      z.number(),
      z.string(),
      z.boolean(),
      z.array(z.number()),
      z.record(z.string(), z.unknown()),
    ]),
    timestamp: Timestamp.optional(),
  })
  .openapi("LabelIn");
export type LabelIn = z.infer<typeof LabelIn>;

export const LabelsRequest = z
  .union([z.array(LabelIn).min(1).max(MAX_ROWS_PER_REQUEST), LabelIn])
  .openapi("LabelsRequest");

export const IngestResult = z
  .object({
    received: z.number().int(),
    inserted: z.number().int(),
    duplicates: z.number().int().openapi({ description: "Rows whose (model, requestId) was already stored" }),
    flagged: z.number().int().openapi({ description: "Stored rows that broke their model's contract" }),
    labeled: z.number().int().openapi({ description: "Stored rows that got a label sent earlier" }),
    violations: z.record(z.string(), z.number().int()).openapi({ description: "field.rule → rows" }),
    schemaChanges: z
      .object({ newFields: z.array(z.string()), vanishedFields: z.array(z.string()) })
      .optional(),
  })
  .openapi("PredictionIngestResult");
export type IngestResult = z.infer<typeof IngestResult>;

// ---- contracts ----

export const BatchRules = z
  .object({
    /** Rows per window (windowSeconds, default 1h) expected at least / at most. */
    minRows: z.number().int().nonnegative().optional(),
    maxRows: z.number().int().positive().optional(),
    windowSeconds: z.number().int().positive().default(3600),
    /** The newest prediction must be at most this old. */
    freshnessSeconds: z.number().int().positive().optional(),
  })
  .strict()
  .openapi("ContractBatchRules");
export type BatchRules = z.infer<typeof BatchRules>;

export const ContractIn = z
  .object({
    fields: z.record(z.string().min(1).max(200), FieldRule),
    batch: BatchRules.optional(),
    violationThreshold: z.number().min(0).max(1).default(0.05),
    detectSchemaChanges: z.boolean().default(true),
    sources: z
      .array(ModelInputSchema)
      .max(100)
      .optional()
      .openapi({
        description:
          "Where the model's fields come from (`[{ dataset, namespace?, fields? }]`), declared as the model's " +
          "lineage inputs so a breaking schema change of those fields reaches the model (impact, schema " +
          "incident). Omitted: the stored sources stay; `[]` withdraws them.",
      }),
  })
  .strict()
  .openapi("ContractIn");
export type ContractIn = z.infer<typeof ContractIn>;

export const Contract = ContractIn.extend({
  id: z.string(),
  model: z.string(),
  batch: BatchRules,
  version: z.number().int(),
  origin: z.enum(["api", "inferred"]),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Contract");
export type Contract = z.infer<typeof Contract>;
