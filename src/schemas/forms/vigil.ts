import { z } from "@hono/zod-openapi";
import type { CanonicalField } from "../canonical.ts";
import { invalidSchema } from "../errors.ts";
import { formatType, holdsFields, parseType, structLike, type TypeNode, unifyTypes } from "../types.ts";
import { type Budget, joinPath } from "./budget.ts";

/**
 * Vigil's own form, and (with `_producer`/`_schemaURL`) the OpenLineage `schema` dataset facet,
 * which has the same shape minus nullability. Accepts what producers really send: `type` or
 * `description` null or missing (dbt's OpenLineage integration omits types), `fields: []` on
 * leaves, Spark type strings such as `struct<a:int,b:array<string>>`.
 */
export interface InputField {
  name: string;
  type?: string | null;
  nullable?: boolean | null;
  description?: string | null;
  fields?: InputField[] | null;
  renamedFrom?: string | string[] | null;
  "x-renamed-from"?: string | string[] | null;
}

export const InputFieldSchema: z.ZodType<InputField> = z.lazy(() =>
  z.object({
    name: z.string().min(1, "field name must not be empty"),
    type: z.string().nullish(),
    nullable: z.boolean().nullish(),
    description: z.string().nullish(),
    fields: z.array(InputFieldSchema).nullish(),
    renamedFrom: z.union([z.string(), z.array(z.string())]).nullish(),
    "x-renamed-from": z.union([z.string(), z.array(z.string())]).nullish(),
  }),
);

export const FieldListSchema = z.object({ fields: z.array(InputFieldSchema) });

function aliases(f: InputField): string[] | undefined {
  const raw = f.renamedFrom ?? f["x-renamed-from"];
  if (raw == null) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]).filter((s) => s.length > 0);
  return list.length > 0 ? list : undefined;
}

function fromTypeFields(
  fields: { name: string; type: TypeNode }[],
  prefix: string,
  depth: number,
  budget: Budget,
): CanonicalField[] {
  return fields.map(({ name, type }) => {
    const path = joinPath(prefix, name);
    budget.take(path, depth);
    const out: CanonicalField = { name, type: formatType(type), nullable: true };
    const inner = innermostStructFields(type);
    if (inner) out.fields = fromTypeFields(inner, path, depth + 1, budget);
    return out;
  });
}

function innermostStructFields(t: TypeNode): { name: string; type: TypeNode }[] | undefined {
  if (t.kind === "struct") return t.fields;
  if (t.kind === "array") return innermostStructFields(t.of);
  return undefined;
}

export interface ConvertOptions {
  defaultNullable: boolean;
  /**
   * Read OpenLineage's nested-type conventions, as its producers write them (Spark's PlanUtils,
   * Flink's Avro/Iceberg/Protobuf converters, the spec's SchemaDatasetFacet example): an `array`
   * (or `list`) whose one nested field is `_element` holds values of that field's type; a `map`
   * whose nested fields are `key` and `value` is map<key, value>; a `union` with nested fields
   * (`_0`, `_1`, or Avro's `_string`, `_long`) is one type that holds every branch, else json.
   */
  openLineage?: boolean;
}

interface Read {
  type: TypeNode;
  fields?: CanonicalField[];
}

const JSON_T: TypeNode = { kind: "scalar", name: "json" };

/** The type (and nested fields) of one input field. */
function readField(f: InputField, opts: ConvertOptions, budget: Budget, path: string, depth: number): Read {
  let type = parseType(f.type ?? "");
  const children = f.fields ?? [];
  if (children.length > 0 && opts.openLineage) {
    const conventional = readConvention(f, type, children, opts, budget, path, depth);
    if (conventional) return conventional;
  }
  if (children.length > 0) {
    // Nested fields make the value a struct (or an array of structs) whatever the type says.
    if (!holdsFields(type)) type = structLike(type);
    return { type, fields: convertFields(children, opts, budget, path, depth + 1) };
  }
  const spelled = innermostStructFields(type);
  if (spelled && spelled.length > 0)
    return { type, fields: fromTypeFields(spelled, path, depth + 1, budget) };
  return { type };
}

function readConvention(
  f: InputField,
  type: TypeNode,
  children: InputField[],
  opts: ConvertOptions,
  budget: Budget,
  path: string,
  depth: number,
): Read | undefined {
  const head = (f.type ?? "").trim().toLowerCase();
  const names = children.map((c) => c.name);
  const inner = (c: InputField, at = joinPath(path, c.name)) => {
    budget.take(at, depth + 1);
    return readField(c, opts, budget, at, depth + 1);
  };
  if (type.kind === "array" && names.length === 1 && names[0] === "_element") {
    // The element's own nested fields are the array's: `phones.number`, not `phones._element.number`.
    const element = inner(children[0]!, path);
    return {
      type: { kind: "array", of: element.type },
      ...(element.fields ? { fields: element.fields } : {}),
    };
  }
  if (
    (head === "map" || type.kind === "map") &&
    names.length === 2 &&
    names.includes("key") &&
    names.includes("value")
  ) {
    const key = inner(children.find((c) => c.name === "key")!);
    const value = inner(children.find((c) => c.name === "value")!);
    if (key.fields || value.fields)
      budget.warn(`${path}: the nested fields of a map's keys or values are not kept`);
    return { type: { kind: "map", key: key.type, value: value.type } };
  }
  if (head === "union") {
    const branches = children.map((c) => inner(c));
    if (branches.length === 1) return branches[0];
    const u = unifyTypes(branches.map((b) => b.type));
    if (u && !holdsFields(u)) return { type: u };
    budget.warn(`${path}: union of ${branches.map((b) => formatType(b.type)).join(" | ")} read as json`);
    return { type: JSON_T };
  }
  return undefined;
}

export function convertFields(
  fields: InputField[],
  opts: ConvertOptions,
  budget: Budget,
  prefix = "",
  depth = 1,
): CanonicalField[] {
  const seen = new Set<string>();
  return fields.map((f) => {
    const path = joinPath(prefix, f.name);
    if (seen.has(f.name)) throw invalidSchema(`Duplicate field name "${path}"`, { path });
    seen.add(f.name);
    budget.take(path, depth);
    const read = readField(f, opts, budget, path, depth);
    const out: CanonicalField = {
      name: f.name,
      type: formatType(read.type),
      nullable: f.nullable ?? opts.defaultNullable,
    };
    if (read.fields) out.fields = read.fields;
    if (f.description) out.description = f.description;
    const renamed = aliases(f);
    if (renamed) out.renamedFrom = renamed;
    return out;
  });
}
