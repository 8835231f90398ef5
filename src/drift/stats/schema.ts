/**
 * Request/response shapes of the drift engine, as zod schemas (from @hono/zod-openapi so the
 * route can publish them in OpenAPI). TS types are derived from them.
 */
import { z } from "@hono/zod-openapi";

export const TEST_NAMES = [
  "ks",
  "wasserstein",
  "psi",
  "kl_div",
  "jensenshannon",
  "hellinger",
  "anderson",
  "cramer_von_mises",
  "mannw",
  "t_test",
  "ed",
  "empirical_mmd",
  "chisquare",
  "z",
  "fisher_exact",
  "g_test",
] as const;

export const TestNameSchema = z.enum(TEST_NAMES).openapi("DriftTestName", {
  description:
    "Evidently's test names: ks (Kolmogorov–Smirnov), wasserstein (normed by reference std), psi, kl_div, " +
    "jensenshannon (distance), hellinger, anderson (k-sample), cramer_von_mises, mannw (Mann–Whitney U), " +
    "t_test (Welch), ed (energy distance), empirical_mmd, chisquare, z (two proportions), fisher_exact, g_test",
});
export type TestName = z.infer<typeof TestNameSchema>;

export const ColumnTypeSchema = z.enum(["numerical", "categorical"]).openapi("DriftColumnType");
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnOptionsSchema = z
  .object({
    type: ColumnTypeSchema.optional(),
    test: TestNameSchema.optional(),
    threshold: z.number().finite().positive().optional(),
  })
  .strict()
  .openapi("DriftColumnOptions");
export type ColumnOptions = z.infer<typeof ColumnOptionsSchema>;

export const CompareOptionsSchema = z
  .object({
    columns: z.record(z.string(), ColumnOptionsSchema).optional(),
    /** Dataset drift when drifted columns / columns ≥ this. */
    datasetDriftShare: z.number().gt(0).lte(1).optional(),
    /** Equal-width bins for PSI/KL/JS/Hellinger on numerical columns. */
    bins: z.number().int().min(2).max(1000).optional(),
    /** Seed for the MMD subsample and permutations. */
    seed: z.number().int().nonnegative().optional(),
    mmdPermutations: z.number().int().min(10).max(10_000).optional(),
    mmdMaxSamples: z.number().int().min(10).max(5000).optional(),
  })
  .strict()
  .openapi("DriftCompareOptions");
export type CompareOptions = z.infer<typeof CompareOptionsSchema>;

export const CellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const ColumnsSchema = z
  .record(z.string(), z.array(CellSchema))
  .openapi("DriftColumns", { description: "Column name → values; null marks a missing value." });

export const CompareRequestSchema = CompareOptionsSchema.extend({
  reference: ColumnsSchema,
  current: ColumnsSchema,
}).openapi("DriftCompareRequest");
export type CompareRequest = z.infer<typeof CompareRequestSchema>;

export const ColumnResultSchema = z
  .object({
    name: z.string(),
    type: ColumnTypeSchema,
    test: TestNameSchema,
    /** null when not finite (e.g. an infinite odds ratio). */
    statistic: z.number().nullable(),
    pValue: z.number().nullable().optional(),
    threshold: z.number(),
    drifted: z.boolean(),
    referenceSize: z.number().int(),
    currentSize: z.number().int(),
    missing: z.object({ reference: z.number().int(), current: z.number().int() }),
  })
  .openapi("DriftColumnResult");
export type ColumnResult = z.infer<typeof ColumnResultSchema>;

export const CompareResultSchema = z
  .object({
    drifted: z.boolean(),
    share: z.number(),
    driftedColumns: z.number().int(),
    columnCount: z.number().int(),
    datasetDriftShare: z.number(),
    columns: z.array(ColumnResultSchema),
  })
  .openapi("DriftCompareResult");
export type CompareResult = z.infer<typeof CompareResultSchema>;

const SampleCounts = z.object({ reference: z.number().int(), current: z.number().int() });

/**
 * A compact picture of a column in both samples, for people to look at (the tests do not read it).
 * Counts, not shares: the samples' sizes are the counts' sums.
 */
export const DistributionSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("histogram"),
      /** bins + 1 ascending edges shared by both samples; bin i is [edges[i], edges[i+1]), the last closed. */
      edges: z.array(z.number()),
      reference: z.array(z.number().int()),
      current: z.array(z.number().int()),
      /** Whole numbers: the edges sit halfway between them, bin i holds ⌈edges[i]⌉..⌊edges[i+1]⌋. */
      integers: z.boolean().optional(),
      missing: SampleCounts,
    }),
    z.object({
      kind: z.literal("categories"),
      /** The most common categories of the two samples (by their share in each, summed). */
      labels: z.array(z.string()),
      reference: z.array(z.number().int()),
      current: z.array(z.number().int()),
      /** Every other category, in one bucket. */
      other: SampleCounts.extend({ categories: z.number().int() }),
      missing: SampleCounts,
    }),
  ])
  .openapi("DriftDistribution");
export type Distribution = z.infer<typeof DistributionSchema>;
