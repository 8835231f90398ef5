import { z } from "@hono/zod-openapi";
import type { CanonicalField } from "../canonical.ts";
import { invalidSchema } from "../errors.ts";
import { formatType, holdsFields, parseType, structLike, type TypeNode } from "../types.ts";
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

export function convertFields(
  fields: InputField[],
  opts: { defaultNullable: boolean },
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
    let type = parseType(f.type ?? "");
    const children = f.fields ?? [];
    const out: CanonicalField = { name: f.name, type: "", nullable: f.nullable ?? opts.defaultNullable };
    if (children.length > 0) {
      // Nested fields make the value a struct (or an array of structs) whatever the type says.
      if (!holdsFields(type)) type = structLike(type);
      out.fields = convertFields(children, opts, budget, path, depth + 1);
    } else {
      const spelled = innermostStructFields(type);
      if (spelled && spelled.length > 0) out.fields = fromTypeFields(spelled, path, depth + 1, budget);
    }
    out.type = formatType(type);
    if (f.description) out.description = f.description;
    const renamed = aliases(f);
    if (renamed) out.renamedFrom = renamed;
    return out;
  });
}
