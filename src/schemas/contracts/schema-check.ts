/**
 * Checking a dataset's schema snapshot against its contract (pure). A schema shows which fields
 * exist, their types and whether they may be null; that is what is checked here (value rules need
 * the data and are for prediction rows). Nested fields are named with dots (`address.city`).
 */
import type { CanonicalField, CanonicalSchema } from "../canonical.ts";
import { parseType, type TypeNode } from "../types.ts";
import type { FieldRule, Violation } from "./rules.ts";

const INTEGERS = new Set(["int16", "int32", "int64"]);
const NUMBERS = new Set([...INTEGERS, "float32", "float64", "decimal"]);
const STRINGS = new Set(["string", "varchar", "uuid"]);
/** Types whose values can be anything: a schema cannot say the contract is broken. */
const OPAQUE = new Set(["json", "unknown"]);

const isInteger = (t: TypeNode) =>
  t.kind === "scalar" && (INTEGERS.has(t.name) || (t.name === "decimal" && t.params?.[1] === 0));
const isNumber = (t: TypeNode) => t.kind === "scalar" && NUMBERS.has(t.name);

/** Whether a column of canonical type `type` can hold values of the contract's `rule` type. */
export function typeCompatible(rule: FieldRule["type"], type: string): boolean {
  let t: TypeNode;
  try {
    t = parseType(type);
  } catch {
    return true;
  }
  if (t.kind === "scalar" && OPAQUE.has(t.name)) return true;
  switch (rule) {
    case "number":
      return isNumber(t);
    case "integer":
      return isInteger(t);
    case "string":
      return t.kind === "scalar" && STRINGS.has(t.name);
    case "boolean":
      return t.kind === "scalar" && t.name === "boolean";
    case "category":
      return t.kind === "scalar" && (STRINGS.has(t.name) || t.name === "boolean" || isInteger(t));
    case "vector":
      return t.kind === "array" && isNumber(t.of);
  }
}

/** The field at a dotted path, walking nested struct fields; a top-level name with dots wins. */
function findField(fields: readonly CanonicalField[], path: string): CanonicalField | undefined {
  const exact = fields.find((f) => f.name === path);
  if (exact) return exact;
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  const head = fields.find((f) => f.name === path.slice(0, dot));
  return head?.fields ? findField(head.fields, path.slice(dot + 1)) : undefined;
}

/**
 * The contract's field rules the schema breaks: a field absent, of an incompatible type, or nullable
 * where the contract forbids null — unless the schema's form cannot say (`knowsNulls: false`: an
 * OpenLineage schema facet has no nullability, so every field reads as nullable).
 */
export function checkSchema(
  fields: Record<string, FieldRule>,
  schema: CanonicalSchema,
  options: { knowsNulls?: boolean } = {},
): Violation[] {
  const knowsNulls = options.knowsNulls ?? true;
  const out: Violation[] = [];
  for (const [path, rule] of Object.entries(fields)) {
    const f = findField(schema.fields, path);
    if (!f) {
      out.push({ field: path, rule: "present", message: "not in the schema" });
      continue;
    }
    if (!typeCompatible(rule.type, f.type))
      out.push({ field: path, rule: "type", message: `expected ${rule.type}, the schema has ${f.type}` });
    if (knowsNulls && rule.nullable === false && f.nullable)
      out.push({
        field: path,
        rule: "nullable",
        message: "nullable in the schema, required by the contract",
      });
  }
  return out;
}
