import { z } from "@hono/zod-openapi";
import { type CanonicalSchema, LIMITS, type SchemaFormat } from "./canonical.ts";
import { invalidSchema, notParseable, SchemaInputError, tooLarge, unknownForm } from "./errors.ts";
import { Budget } from "./forms/budget.ts";
import {
  looksLikeColumnRows,
  looksLikeColumnsCsv,
  normalizeColumnRows,
  parseColumnsCsv,
} from "./forms/information-schema.ts";
import { looksLikeJsonSchema, normalizeJsonSchema } from "./forms/jsonschema.ts";
import { looksLikeSql, normalizeSql } from "./forms/sql.ts";
import { convertFields, FieldListSchema } from "./forms/vigil.ts";

export interface NormalizeOptions {
  /** Skip detection and read the input as this form. */
  format?: SchemaFormat;
  /** For information_schema rows or SQL that describe several tables: which one. */
  table?: string;
}

export interface Normalized {
  format: SchemaFormat;
  schema: CanonicalSchema;
  /** Approximations made (e.g. a union read as json); empty for exact conversions. */
  warnings: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Depth of a parsed JSON value, iteratively, so hostile nesting cannot blow the stack later. */
function checkJsonDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d > LIMITS.maxJsonDepth)
      throw tooLarge(`Input nests deeper than ${LIMITS.maxJsonDepth} levels`, {
        limit: "maxJsonDepth",
        max: LIMITS.maxJsonDepth,
      });
    for (const child of Object.values(v))
      if (typeof child === "object" && child !== null) stack.push([child, d + 1]);
  }
}

/** The OpenLineage facet, possibly wrapped as `{schema: facet}` or in a whole dataset. */
function unwrapOpenLineage(v: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isObj(v.facets) && isObj(v.facets.schema)) return v.facets.schema;
  if (isObj(v.schema) && Array.isArray(v.schema.fields)) return v.schema;
  if (Array.isArray(v.fields) && (typeof v._producer === "string" || typeof v._schemaURL === "string"))
    return v;
  return undefined;
}

/** Which form a parsed value is in; undefined when none fits. */
export function detectFormat(value: unknown): SchemaFormat | undefined {
  if (typeof value === "string") {
    if (looksLikeSql(value)) return "sql";
    if (looksLikeColumnsCsv(value)) return "information_schema";
    return undefined;
  }
  if (looksLikeColumnRows(value)) return "information_schema";
  if (!isObj(value)) return undefined;
  if (isObj(value.columns) || Array.isArray(value.rows)) {
    if (looksLikeColumnRows(value.rows)) return "information_schema";
  }
  if (unwrapOpenLineage(value)) return "openlineage";
  if (Array.isArray(value.fields)) return "vigil";
  if (looksLikeJsonSchema(value)) return "jsonschema";
  return undefined;
}

/** Text in → parsed value: JSON when it looks like JSON, else the text itself (CSV, SQL). */
function parseText(text: string): unknown {
  if (Buffer.byteLength(text, "utf8") > LIMITS.maxInputBytes)
    throw tooLarge(`Input is larger than ${LIMITS.maxInputBytes} bytes`, {
      limit: "maxInputBytes",
      max: LIMITS.maxInputBytes,
    });
  const t = text.replace(/^\uFEFF/, "").trim();
  if (t.startsWith("{") || t.startsWith("[") || t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch (e) {
      throw notParseable(`Input is not valid JSON: ${(e as Error).message}`);
    }
  }
  return t;
}

const FORMS_HELP =
  "Vigil's form {fields:[{name,type,nullable}]}, a JSON Schema object, an OpenLineage schema facet, " +
  "Postgres information_schema.columns rows (JSON or CSV), or CREATE TABLE SQL";

/**
 * Normalises any accepted schema form to the canonical form. Accepts a parsed JSON value or
 * raw text (JSON, `psql --csv` output, SQL). Throws SchemaInputError (400/413/422).
 */
export function normalizeSchema(input: unknown, opts: NormalizeOptions = {}): Normalized {
  const value = typeof input === "string" ? parseText(input) : input;
  if (typeof value !== "string") checkJsonDepth(value);
  const format = opts.format ?? detectFormat(value);
  if (!format) {
    if (typeof value === "string")
      throw notParseable(
        `Input is neither JSON, CSV with column_name/data_type headers, nor CREATE TABLE SQL. Expected ${FORMS_HELP}`,
      );
    throw unknownForm(`Unrecognised schema form. Expected ${FORMS_HELP}`);
  }
  const budget = new Budget();
  const fields = (() => {
    switch (format) {
      case "vigil":
      case "openlineage": {
        const src = isObj(value)
          ? format === "openlineage"
            ? (unwrapOpenLineage(value) ?? value)
            : value
          : value;
        const r = FieldListSchema.safeParse(src);
        if (!r.success) throw invalidSchema(`Invalid ${format} schema: ${z.prettifyError(r.error)}`);
        // The OpenLineage facet carries no nullability: every field may be null.
        return format === "openlineage"
          ? convertFields(r.data.fields, { defaultNullable: true, openLineage: true }, budget)
          : convertFields(r.data.fields, { defaultNullable: true }, budget);
      }
      case "jsonschema":
        return normalizeJsonSchema(value, budget);
      case "information_schema": {
        const rows =
          typeof value === "string"
            ? parseColumnsCsv(value)
            : isObj(value) && Array.isArray(value.rows)
              ? value.rows
              : value;
        if (!Array.isArray(rows) || rows.length === 0)
          throw invalidSchema("Expected a non-empty list of information_schema.columns rows");
        return normalizeColumnRows(rows, opts, budget);
      }
      case "sql":
        if (typeof value !== "string") throw invalidSchema("SQL input must be text");
        return normalizeSql(value, opts, budget);
    }
  })();
  return { format, schema: { fields }, warnings: budget.warnings };
}

export { SchemaInputError };
