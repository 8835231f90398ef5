import { z } from "@hono/zod-openapi";

/**
 * The one canonical form every accepted schema format normalises to. Field order is kept
 * (it is the column order for tabular data, and rename detection uses it).
 * `type` is a canonical type name (see types.ts); `fields` is present exactly when the
 * type is `struct` or an array/array-of-array of `struct` (the element's fields).
 */
export interface CanonicalField {
  name: string;
  type: string;
  nullable: boolean;
  description?: string;
  fields?: CanonicalField[];
  /** Declared former names (`x-renamed-from` / `renamedFrom`): a rename, not a removal. */
  renamedFrom?: string[];
}

export interface CanonicalSchema {
  fields: CanonicalField[];
}

export const SCHEMA_FORMATS = ["vigil", "jsonschema", "openlineage", "information_schema", "sql"] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];
export const SchemaFormatSchema = z.enum(SCHEMA_FORMATS).openapi({
  description:
    "Input form; detected automatically when omitted. vigil = Vigil's own form, jsonschema = JSON Schema " +
    "(draft-07 / 2020-12), openlineage = OpenLineage schema dataset facet, information_schema = rows of " +
    "Postgres information_schema.columns (JSON or `psql --csv`), sql = CREATE TABLE statements.",
});

// Named, so the OpenAPI generator emits a $ref for the recursion instead of expanding it forever.
const FieldOut: z.ZodType<CanonicalField> = z
  .lazy(() =>
    z.object({
      name: z.string(),
      type: z.string(),
      nullable: z.boolean(),
      description: z.string().optional(),
      fields: z.array(FieldOut).optional(),
      renamedFrom: z.array(z.string()).optional(),
    }),
  )
  .openapi("CanonicalField");

/** For OpenAPI documentation of responses that carry a canonical schema. */
export const CanonicalSchemaSchema = z
  .object({ fields: z.array(FieldOut) })
  .openapi("CanonicalSchema", { description: "Vigil's canonical schema form" });

/**
 * Limits that keep a hostile or accidental input from exhausting the service. Exceeding one
 * is a 413 with a message naming the limit; a $ref cycle is a 422.
 */
export const LIMITS = {
  /** Nesting of struct fields (a.b.c… counts one per level). */
  maxDepth: 32,
  /** Fields in the whole canonical schema, nested ones included. */
  maxFields: 10_000,
  /** Size of a textual input (JSON, CSV, SQL) in bytes. */
  maxInputBytes: 5 * 1024 * 1024,
  /** Nesting of the raw JSON document before any interpretation. */
  maxJsonDepth: 256,
} as const;
