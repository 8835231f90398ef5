import { z } from "@hono/zod-openapi";
import type { CanonicalField, CanonicalSchema } from "./canonical.ts";
import { compareTypes } from "./compat.ts";
import { holdsFields, parseType } from "./types.ts";

/**
 * Diff of two canonical schemas with each change classified breaking or not. The anchor is
 * dbt's model contracts (removing a column or changing its data type breaks consumers), made
 * two-sided as the Vigil issue asks: a change is breaking when it can break either the readers
 * of the data (consumers) or the code that writes it (producers).
 */
export const CHANGE_KINDS = [
  "field_added",
  "field_removed",
  "field_renamed",
  "possible_rename",
  "type_changed",
  "nullability_changed",
  "description_changed",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const SchemaChangeSchema = z
  .object({
    kind: z.enum(CHANGE_KINDS),
    path: z
      .string()
      .openapi({ description: "Dotted path of the field in the new schema (old one for removals)" }),
    from: z.string().optional(),
    to: z.string().optional(),
    breaking: z.boolean(),
    reason: z.string(),
  })
  .openapi("SchemaChange");
export type SchemaChange = z.infer<typeof SchemaChangeSchema>;

export interface SchemaDiff {
  breaking: boolean;
  changes: SchemaChange[];
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** Similarity of two names in [0, 1]: 1 − edit distance / longer length. */
export function nameSimilarity(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return 1;
  const prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (x[i - 1] === y[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return 1 - prev[y.length]! / Math.max(x.length, y.length);
}

/**
 * Pairs fields that were renamed. Declared renames (the new field lists the old name in
 * `renamedFrom`) always pair. Undeclared candidates — one removed and one added field of the
 * same type and nullability — pair as a *possible* rename when they sit at the same position,
 * or when they are the only removed/added pair of that type and their names are similar.
 */
function pairRenames(before: CanonicalField[], after: CanonicalField[]) {
  const beforeNames = new Set(before.map((f) => f.name));
  const afterNames = new Set(after.map((f) => f.name));
  const declared = new Map<string, string>(); // new name → old name
  const usedOld = new Set<string>();
  for (const f of after) {
    if (beforeNames.has(f.name)) continue;
    const old = f.renamedFrom?.find((o) => beforeNames.has(o) && !afterNames.has(o) && !usedOld.has(o));
    if (old) {
      declared.set(f.name, old);
      usedOld.add(old);
    }
  }
  const removed = before
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !afterNames.has(f.name) && !usedOld.has(f.name));
  const added = after
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !beforeNames.has(f.name) && !declared.has(f.name));
  const possible = new Map<string, string>(); // new name → old name
  const taken = new Set<string>();
  for (const r of removed) {
    const sameShape = added.filter(
      (a) => !taken.has(a.f.name) && a.f.type === r.f.type && a.f.nullable === r.f.nullable,
    );
    const samePos = sameShape.find((a) => a.i === r.i);
    const uniqueType =
      sameShape.length === 1 &&
      removed.filter((o) => o.f.type === r.f.type && o.f.nullable === r.f.nullable).length === 1;
    const pick =
      samePos ??
      (uniqueType && nameSimilarity(r.f.name, sameShape[0]!.f.name) >= 0.5 ? sameShape[0] : undefined);
    if (pick) {
      possible.set(pick.f.name, r.f.name);
      taken.add(pick.f.name);
    }
  }
  return { declared, possible };
}

function compareField(a: CanonicalField, b: CanonicalField, path: string, out: SchemaChange[]): void {
  let recurse = true;
  if (a.type !== b.type) {
    const v = compareTypes(a.type, b.type);
    out.push({
      kind: "type_changed",
      path,
      from: a.type,
      to: b.type,
      breaking: v.breaking,
      reason: v.reason,
    });
    // Children are comparable only when both sides still hold struct fields.
    recurse = holdsFields(parseType(a.type)) && holdsFields(parseType(b.type));
  }
  if (a.nullable !== b.nullable) {
    out.push(
      a.nullable
        ? {
            kind: "nullability_changed",
            path,
            from: "nullable",
            to: "required",
            breaking: true,
            reason: "nullable → required: producers that write nulls (or omit the field) are rejected",
          }
        : {
            kind: "nullability_changed",
            path,
            from: "required",
            to: "nullable",
            breaking: true,
            reason:
              "required → nullable: readers that rely on a value now get nulls (dbt: removing a not_null constraint is breaking)",
          },
    );
  }
  if ((a.description ?? "") !== (b.description ?? "")) {
    const change: SchemaChange = {
      kind: "description_changed",
      path,
      breaking: false,
      reason: "documentation only",
    };
    if (a.description !== undefined) change.from = a.description;
    if (b.description !== undefined) change.to = b.description;
    out.push(change);
  }
  if (recurse && (a.fields || b.fields)) diffFields(a.fields ?? [], b.fields ?? [], path, out);
}

function diffFields(
  before: CanonicalField[],
  after: CanonicalField[],
  prefix: string,
  out: SchemaChange[],
): void {
  const { declared, possible } = pairRenames(before, after);
  const oldToNew = new Map<string, { name: string; declared: boolean }>();
  for (const [n, o] of declared) oldToNew.set(o, { name: n, declared: true });
  for (const [n, o] of possible) oldToNew.set(o, { name: n, declared: false });
  const afterByName = new Map(after.map((f) => [f.name, f]));

  for (const a of before) {
    const same = afterByName.get(a.name);
    if (same) {
      compareField(a, same, join(prefix, a.name), out);
      continue;
    }
    const renamed = oldToNew.get(a.name);
    const b = renamed ? afterByName.get(renamed.name) : undefined;
    if (renamed && b) {
      const path = join(prefix, b.name);
      out.push(
        renamed.declared
          ? {
              kind: "field_renamed",
              path,
              from: a.name,
              to: b.name,
              breaking: false,
              reason: `renamed from "${a.name}" with a declared alias: readers can resolve the old name`,
            }
          : {
              kind: "possible_rename",
              path,
              from: a.name,
              to: b.name,
              breaking: true,
              reason: `"${a.name}" removed and "${b.name}" added with the same type (${b.type}): looks like a rename without a declared alias; readers of "${a.name}" break. Declare x-renamed-from / renamedFrom if it is one`,
            },
      );
      compareField(a, b, path, out);
      continue;
    }
    out.push({
      kind: "field_removed",
      path: join(prefix, a.name),
      from: a.type,
      breaking: true,
      reason: "field removed: readers that select it break",
    });
  }
  const pairedNew = new Set([...declared.keys(), ...possible.keys()]);
  const beforeNames = new Set(before.map((f) => f.name));
  for (const b of after) {
    if (beforeNames.has(b.name) || pairedNew.has(b.name)) continue;
    out.push(
      b.nullable
        ? {
            kind: "field_added",
            path: join(prefix, b.name),
            to: b.type,
            breaking: false,
            reason: "nullable field added: readers ignore it, producers may omit it",
          }
        : {
            kind: "field_added",
            path: join(prefix, b.name),
            to: b.type,
            breaking: true,
            reason: "required field added: existing producers do not write it (breaking for producers)",
          },
    );
  }
}

/** Changes from `before` to `after`; `breaking` is true when any change is. diff(x, x) is empty. */
export function diffSchemas(before: CanonicalSchema, after: CanonicalSchema): SchemaDiff {
  const changes: SchemaChange[] = [];
  diffFields(before.fields, after.fields, "", changes);
  return { breaking: changes.some((c) => c.breaking), changes };
}
