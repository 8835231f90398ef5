import { z } from "@hono/zod-openapi";

/**
 * Where a model's features come from: dataset fields, declared by `PUT /api/v1/models/{model}/inputs`,
 * a monitor's `inputs`, or a contract. Shared so every declarer validates the same shape.
 */
export const ModelInputSchema = z
  .object({
    dataset: z.string().min(1).max(1000).openapi({ example: "analytics.public.customers" }),
    namespace: z.string().min(1).max(1000).optional().openapi({
      description:
        "The dataset's namespace (OpenLineage: the data source, e.g. `postgres://db:5432`); `default` when omitted",
    }),
    fields: z
      .array(z.string().min(1).max(1000))
      .max(10_000)
      .optional()
      .openapi({
        description:
          "The dataset fields the model's features come from (dotted for nested: `address.city`); absent or empty = the whole dataset",
        example: ["tenure_months", "plan"],
      }),
  })
  .strict()
  .openapi("ModelInput");
export type ModelInput = z.infer<typeof ModelInputSchema>;
