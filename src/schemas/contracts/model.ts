/** Shapes of dataset contracts: zod schemas (published by the routes); TS types come from them. */
import { z } from "@hono/zod-openapi";
import { FieldRule } from "./rules.ts";

/** Batch rules of a dataset: rows of each write (OpenLineage outputStatistics), time since the last write. */
export const DatasetBatchRules = z
  .object({
    minRows: z.number().int().nonnegative().optional(),
    maxRows: z.number().int().positive().optional(),
    freshnessSeconds: z.number().int().positive().optional(),
  })
  .strict()
  .openapi("DatasetContractBatchRules");
export type DatasetBatchRules = z.infer<typeof DatasetBatchRules>;

export const DatasetContractIn = z
  .object({
    /**
     * Field name (dotted for nested fields) → rule. A schema shows presence, type and nullability;
     * value rules (min, max, values, pattern, maxNullRate) are accepted for documentation.
     */
    fields: z.record(z.string().min(1).max(1000), FieldRule),
    batch: DatasetBatchRules.optional(),
  })
  .strict()
  .openapi("DatasetContractIn");
export type DatasetContractIn = z.infer<typeof DatasetContractIn>;

export const DatasetContract = DatasetContractIn.extend({
  id: z.string(),
  dataset: z.string(),
  namespace: z.string(),
  batch: DatasetBatchRules,
  version: z.number().int(),
  lastWrittenAt: z.string().nullable(),
  lastRowCount: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("DatasetContract");
export type DatasetContract = z.infer<typeof DatasetContract>;
