import { describe, expect, it } from "vitest";
import { diffSchemas } from "../../src/schemas/diff.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";

/**
 * The rule table: each case is a before/after pair (any accepted form) and the exact changes
 * expected, as "kind path breaking". Covers every rule in src/schemas/README.md.
 */
type F = {
  name: string;
  type: string;
  nullable?: boolean;
  description?: string;
  fields?: F[];
  renamedFrom?: string[];
};
const f = (name: string, type: string, extra: Partial<F> = {}): F => ({
  name,
  type,
  nullable: true,
  ...extra,
});
const req = (name: string, type: string, extra: Partial<F> = {}): F =>
  f(name, type, { nullable: false, ...extra });
const v = (...fields: F[]) => ({ fields });
const base = [req("id", "int64"), f("email", "string"), f("score", "float64")];

interface Case {
  name: string;
  before: unknown;
  after: unknown;
  breaking: boolean;
  changes: string[];
}

const cases: Case[] = [
  // additions
  {
    name: "add nullable field",
    before: v(...base),
    after: v(...base, f("age", "int32")),
    breaking: false,
    changes: ["field_added age false"],
  },
  {
    name: "add required field (breaks producers)",
    before: v(...base),
    after: v(...base, req("age", "int32")),
    breaking: true,
    changes: ["field_added age true"],
  },
  {
    name: "add nested nullable field",
    before: v(f("addr", "struct", { fields: [f("city", "string")] })),
    after: v(f("addr", "struct", { fields: [f("city", "string"), f("zip", "string")] })),
    breaking: false,
    changes: ["field_added addr.zip false"],
  },
  {
    name: "add nested required field",
    before: v(f("addr", "struct", { fields: [f("city", "string")] })),
    after: v(f("addr", "struct", { fields: [f("city", "string"), req("zip", "string")] })),
    breaking: true,
    changes: ["field_added addr.zip true"],
  },
  {
    name: "add a struct: reported once, not per child",
    before: v(...base),
    after: v(...base, f("addr", "struct", { fields: [req("city", "string"), req("zip", "string")] })),
    breaking: false,
    changes: ["field_added addr false"],
  },
  // removals
  {
    name: "remove nullable field",
    before: v(...base),
    after: v(base[0]!, base[2]!),
    breaking: true,
    changes: ["field_removed email true"],
  },
  {
    name: "remove required field",
    before: v(...base),
    after: v(base[1]!, base[2]!),
    breaking: true,
    changes: ["field_removed id true"],
  },
  {
    name: "remove nested field",
    before: v(f("addr", "struct", { fields: [f("city", "string"), f("zip", "string")] })),
    after: v(f("addr", "struct", { fields: [f("city", "string")] })),
    breaking: true,
    changes: ["field_removed addr.zip true"],
  },
  {
    name: "remove a struct: reported once",
    before: v(...base, f("addr", "struct", { fields: [f("city", "string")] })),
    after: v(...base),
    breaking: true,
    changes: ["field_removed addr true"],
  },
  {
    name: "remove field inside array of structs",
    before: v(f("items", "array<struct>", { fields: [f("sku", "string"), f("qty", "int32")] })),
    after: v(f("items", "array<struct>", { fields: [f("qty", "int32")] })),
    breaking: true,
    changes: ["field_removed items.sku true"],
  },
  // renames
  {
    name: "rename with declared alias (renamedFrom)",
    before: v(...base),
    after: v(base[0]!, f("email_address", "string", { renamedFrom: ["email"] }), base[2]!),
    breaking: false,
    changes: ["field_renamed email_address false"],
  },
  {
    name: "rename with x-renamed-from in JSON Schema",
    before: {
      type: "object",
      properties: { id: { type: "integer" }, mail: { type: "string" } },
      required: ["id"],
    },
    after: {
      type: "object",
      properties: { id: { type: "integer" }, email: { type: "string", "x-renamed-from": "mail" } },
      required: ["id"],
    },
    breaking: false,
    changes: ["field_renamed email false"],
  },
  {
    name: "rename without alias at the same position: possible rename",
    before: v(...base),
    after: v(base[0]!, f("mail", "string"), base[2]!),
    breaking: true,
    changes: ["possible_rename mail true"],
  },
  {
    name: "moved and renamed, similar name, only one of its type: possible rename",
    before: v(f("is_custom_ammount", "boolean"), f("name", "string"), f("price", "int64")),
    after: v(f("name", "string"), f("price", "int64"), f("is_custom_amount", "boolean")),
    breaking: true,
    changes: ["possible_rename is_custom_amount true"],
  },
  {
    name: "remove one field and add an unrelated one of another type: no rename",
    before: v(...base),
    after: v(base[0]!, f("visits", "int32"), base[2]!),
    breaking: true,
    changes: ["field_removed email true", "field_added visits false"],
  },
  {
    name: "dissimilar names, same type, different positions: no rename",
    before: v(f("a", "string"), f("email", "string"), f("b", "int32")),
    after: v(f("a", "string"), f("b", "int32"), f("zzz", "string")),
    breaking: true,
    changes: ["field_removed email true", "field_added zzz false"],
  },
  {
    name: "rename with alias and widening",
    before: v(f("n", "int32")),
    after: v(f("count", "int64", { renamedFrom: ["n"] })),
    breaking: false,
    changes: ["field_renamed count false", "type_changed count false"],
  },
  {
    name: "rename with alias and narrowing",
    before: v(f("n", "int64")),
    after: v(f("count", "int32", { renamedFrom: ["n"] })),
    breaking: true,
    changes: ["field_renamed count false", "type_changed count true"],
  },
  {
    name: "nested rename with alias",
    before: v(f("addr", "struct", { fields: [f("zip", "string")] })),
    after: v(f("addr", "struct", { fields: [f("postcode", "string", { renamedFrom: ["zip"] })] })),
    breaking: false,
    changes: ["field_renamed addr.postcode false"],
  },
  {
    name: "alias naming a field that still exists is not a rename",
    before: v(...base),
    after: v(...base, f("email2", "string", { renamedFrom: ["email"] })),
    breaking: false,
    changes: ["field_added email2 false"],
  },
  // type widening (non-breaking)
  {
    name: "int32 → int64",
    before: v(f("x", "int32")),
    after: v(f("x", "int64")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "int → bigint (SQL spellings)",
    before: v(f("x", "int")),
    after: v(f("x", "bigint")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "int16 → int32",
    before: v(f("x", "smallint")),
    after: v(f("x", "integer")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "int32 → float64",
    before: v(f("x", "int32")),
    after: v(f("x", "double precision")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "float32 → float64",
    before: v(f("x", "real")),
    after: v(f("x", "double")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "varchar(50) → varchar(100)",
    before: v(f("x", "varchar(50)")),
    after: v(f("x", "varchar(100)")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "varchar(n) → text",
    before: v(f("x", "character varying(20)")),
    after: v(f("x", "text")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "date → timestamp",
    before: v(f("x", "date")),
    after: v(f("x", "timestamp")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "decimal(10,2) → decimal(12,2)",
    before: v(f("x", "numeric(10,2)")),
    after: v(f("x", "decimal(12,2)")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "int32 → decimal(12,0)",
    before: v(f("x", "int32")),
    after: v(f("x", "decimal(12,0)")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "array<int32> → array<int64>",
    before: v(f("x", "array<int>")),
    after: v(f("x", "bigint[]")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "map value widening",
    before: v(f("x", "map<string,int32>")),
    after: v(f("x", "map<string,int64>")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  {
    name: "type was undeclared",
    before: v(f("x", "unknown")),
    after: v(f("x", "int64")),
    breaking: false,
    changes: ["type_changed x false"],
  },
  // type narrowing / incompatible (breaking)
  {
    name: "bigint → int",
    before: v(f("x", "bigint")),
    after: v(f("x", "int")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "int64 → float64 loses precision",
    before: v(f("x", "int64")),
    after: v(f("x", "float64")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "float64 → float32",
    before: v(f("x", "float64")),
    after: v(f("x", "float32")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "float → int",
    before: v(f("x", "float64")),
    after: v(f("x", "int64")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "string → int",
    before: v(f("x", "string")),
    after: v(f("x", "int32")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "int → string",
    before: v(f("x", "int32")),
    after: v(f("x", "string")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "varchar(100) → varchar(50)",
    before: v(f("x", "varchar(100)")),
    after: v(f("x", "varchar(50)")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "text → varchar(20)",
    before: v(f("x", "text")),
    after: v(f("x", "varchar(20)")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "timestamp → date",
    before: v(f("x", "timestamp")),
    after: v(f("x", "date")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "timestamp → timestamptz",
    before: v(f("x", "timestamp")),
    after: v(f("x", "timestamptz")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "decimal(10,2) → decimal(10,4) loses integer digits",
    before: v(f("x", "decimal(10,2)")),
    after: v(f("x", "decimal(10,4)")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "int64 → decimal(10,0)",
    before: v(f("x", "int64")),
    after: v(f("x", "decimal(10,0)")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "decimal → float",
    before: v(f("x", "decimal(10,2)")),
    after: v(f("x", "float64")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "array<int64> → array<int32>",
    before: v(f("x", "array<int64>")),
    after: v(f("x", "array<int32>")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "struct → json: children not diffed",
    before: v(f("x", "struct", { fields: [f("a", "string")] })),
    after: v(f("x", "json")),
    breaking: true,
    changes: ["type_changed x true"],
  },
  {
    name: "nested type narrowing",
    before: v(f("addr", "struct", { fields: [f("n", "int64")] })),
    after: v(f("addr", "struct", { fields: [f("n", "int32")] })),
    breaking: true,
    changes: ["type_changed addr.n true"],
  },
  // nullability
  {
    name: "nullable → required",
    before: v(f("x", "string")),
    after: v(req("x", "string")),
    breaking: true,
    changes: ["nullability_changed x true"],
  },
  {
    name: "required → nullable",
    before: v(req("x", "string")),
    after: v(f("x", "string")),
    breaking: true,
    changes: ["nullability_changed x true"],
  },
  {
    name: "nested nullability",
    before: v(f("addr", "struct", { fields: [f("city", "string")] })),
    after: v(f("addr", "struct", { fields: [req("city", "string")] })),
    breaking: true,
    changes: ["nullability_changed addr.city true"],
  },
  // descriptions
  {
    name: "description changed",
    before: v(f("x", "string", { description: "old" })),
    after: v(f("x", "string", { description: "new" })),
    breaking: false,
    changes: ["description_changed x false"],
  },
  {
    name: "description added",
    before: v(f("x", "string")),
    after: v(f("x", "string", { description: "doc" })),
    breaking: false,
    changes: ["description_changed x false"],
  },
  // no-ops and mixes
  { name: "identical", before: v(...base), after: v(...base), breaking: false, changes: [] },
  {
    name: "same type, other spelling",
    before: v(f("x", "integer"), f("y", "timestamp with time zone")),
    after: v(f("x", "int4"), f("y", "timestamptz")),
    breaking: false,
    changes: [],
  },
  {
    name: "several non-breaking changes stay non-breaking",
    before: v(f("x", "int32"), f("y", "varchar(10)", { description: "a" })),
    after: v(f("x", "int64"), f("y", "text", { description: "b" }), f("z", "bool")),
    breaking: false,
    changes: [
      "type_changed x false",
      "type_changed y false",
      "description_changed y false",
      "field_added z false",
    ],
  },
  {
    name: "one breaking change among others makes the diff breaking",
    before: v(f("x", "int32"), f("y", "string")),
    after: v(f("x", "int64"), req("y", "string")),
    breaking: true,
    changes: ["type_changed x false", "nullability_changed y true"],
  },
  {
    name: "across forms: JSON Schema before, CREATE TABLE after",
    before: {
      type: "object",
      properties: { id: { type: "integer" }, email: { type: "string", maxLength: 100 } },
      required: ["id"],
    },
    after: "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50));",
    breaking: true,
    changes: ["type_changed email true"],
  },
];

describe("breaking-change rule table", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name", ({ before, after, breaking, changes }) => {
    const d = diffSchemas(normalizeSchema(before).schema, normalizeSchema(after).schema);
    expect(d.changes.map((c) => `${c.kind} ${c.path} ${c.breaking}`)).toEqual(changes);
    expect(d.breaking).toBe(breaking);
    for (const c of d.changes) expect(c.reason.length).toBeGreaterThan(5);
  });
});

describe("change details", () => {
  it("carries canonical from/to for type changes", () => {
    const d = diffSchemas(
      normalizeSchema(v(f("x", "int"))).schema,
      normalizeSchema(v(f("x", "bigint"))).schema,
    );
    expect(d.changes[0]).toMatchObject({
      kind: "type_changed",
      path: "x",
      from: "int32",
      to: "int64",
      breaking: false,
    });
    expect(d.changes[0]!.reason).toMatch(/widens/);
  });

  it("names old and new field of a rename", () => {
    const d = diffSchemas(
      normalizeSchema(v(f("a", "string"))).schema,
      normalizeSchema(v(f("b", "string", { renamedFrom: ["a"] }))).schema,
    );
    expect(d.changes[0]).toMatchObject({ kind: "field_renamed", from: "a", to: "b", path: "b" });
  });

  it("explains nullability direction", () => {
    const d = diffSchemas(
      normalizeSchema(v(f("x", "string"))).schema,
      normalizeSchema(v(req("x", "string"))).schema,
    );
    expect(d.changes[0]).toMatchObject({ from: "nullable", to: "required" });
    expect(d.changes[0]!.reason).toMatch(/producers/);
  });
});
