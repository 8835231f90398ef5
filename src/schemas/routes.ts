import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { errorResponse, json } from "../http/openapi.ts";
import { SchemaFormatSchema } from "./canonical.ts";
import { datasetContractRoutes } from "./contracts/routes.ts";
import { diffSchemas, SchemaChangeSchema } from "./diff.ts";
import { schemaHash } from "./hash.ts";
import { normalizeSchema } from "./normalize.ts";
import { datasetLineageRoutes } from "./routes-dataset-lineage.ts";
import { datasetRoutes } from "./routes-datasets.ts";
import { lineageRoutes } from "./routes-lineage.ts";

// z.unknown() accepts a missing key; a schema side must be present.
const AnySchemaInput = z
  .unknown()
  .refine((v) => v !== undefined && v !== null, { message: "required: a schema (object, array, or text)" })
  .openapi({
    description:
      "A schema in any accepted form: Vigil's {fields:[…]}, a JSON Schema, an OpenLineage schema facet, " +
      "information_schema.columns rows (JSON array, or CSV text), or CREATE TABLE SQL text",
  });

const DiffRequest = z
  .object({
    before: AnySchemaInput,
    after: AnySchemaInput,
    format: SchemaFormatSchema.optional(),
    beforeFormat: SchemaFormatSchema.optional().openapi({ description: "Overrides `format` for `before`" }),
    afterFormat: SchemaFormatSchema.optional().openapi({ description: "Overrides `format` for `after`" }),
    table: z.string().min(1).optional().openapi({
      description: "Which table, when information_schema rows or SQL describe several",
    }),
  })
  .openapi("SchemaDiffRequest");

const Side = z.object({
  format: SchemaFormatSchema,
  hash: z.string(),
  fields: z.number().int().openapi({ description: "Top-level field count" }),
  warnings: z.array(z.string()),
});

const DiffResponse = z
  .object({
    breaking: z.boolean(),
    changes: z.array(SchemaChangeSchema),
    before: Side,
    after: Side,
  })
  .openapi("SchemaDiff");

const diffRoute = createRoute({
  method: "post",
  path: "/api/v1/schemas/diff",
  summary: "Diff two schemas and classify each change as breaking or not (stateless)",
  tags: ["schemas"],
  request: { body: { required: true, content: { "application/json": { schema: DiffRequest } } } },
  responses: {
    200: json(DiffResponse, "The classified changes"),
    400: errorResponse("Not JSON, or a side that cannot be parsed"),
    413: errorResponse("A schema over the size, field or depth limits"),
    422: errorResponse("Unknown schema form, invalid schema, unresolvable or cyclic $ref"),
  },
});

/**
 * Schema routes: the stateless diff here, plus dataset snapshots/history/impact and OpenLineage
 * ingestion/model inputs (their own files). Mounted at "/" by the app; paths are absolute.
 */
export function schemaRoutes(deps: AppDeps) {
  const app = createRouter();
  app.route("/", datasetRoutes(deps));
  app.route("/", datasetLineageRoutes(deps));
  app.route("/", lineageRoutes(deps));
  app.route("/", datasetContractRoutes(deps));
  app.openapi(diffRoute, (c) => {
    const body = c.req.valid("json");
    const side = (value: unknown, format: typeof body.format, which: "before" | "after") => {
      try {
        return normalizeSchema(value, {
          ...(format ? { format } : {}),
          ...(body.table ? { table: body.table } : {}),
        });
      } catch (e) {
        // Say which side was wrong; the error keeps its status and code.
        if (e instanceof Error) e.message = `${which}: ${e.message}`;
        throw e;
      }
    };
    const before = side(body.before, body.beforeFormat ?? body.format, "before");
    const after = side(body.after, body.afterFormat ?? body.format, "after");
    const result = diffSchemas(before.schema, after.schema);
    const summary = (n: typeof before) => ({
      format: n.format,
      hash: schemaHash(n.schema),
      fields: n.schema.fields.length,
      warnings: n.warnings,
    });
    return c.json({ ...result, before: summary(before), after: summary(after) }, 200);
  });
  return app;
}
