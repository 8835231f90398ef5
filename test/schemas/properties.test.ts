import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanonicalField } from "../../src/schemas/canonical.ts";
import { compareTypes } from "../../src/schemas/compat.ts";
import { diffSchemas } from "../../src/schemas/diff.ts";
import { schemaHash } from "../../src/schemas/hash.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";
import { canonicalType } from "../../src/schemas/types.ts";

const scalarType = fc.constantFrom(
  "boolean",
  "int16",
  "int32",
  "int64",
  "float32",
  "float64",
  "decimal(10,2)",
  "decimal(18,4)",
  "string",
  "varchar(20)",
  "varchar(255)",
  "date",
  "timestamp",
  "timestamptz",
  "uuid",
  "json",
  "bytes",
  "array<int32>",
  "array<string>",
  "map<string,int64>",
);
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);

const fieldsArb: fc.Memo<CanonicalField[]> = fc.memo((depth) =>
  fc
    .uniqueArray(
      fc.record(
        {
          name,
          type: scalarType,
          nullable: fc.boolean(),
          description: fc.string({ maxLength: 12 }),
          fields: depth > 1 ? fieldsArb(depth - 1) : fc.constant([] as CanonicalField[]),
        },
        { requiredKeys: ["name", "type", "nullable"] },
      ),
      { selector: (f) => f.name, maxLength: 6 },
    )
    .map((fs) =>
      fs.map((f) => {
        // A field with children is a struct; an empty child list means a scalar.
        const { fields, ...rest } = f;
        return fields && fields.length > 0 ? { ...rest, type: "struct", fields } : rest;
      }),
    ),
);
const schemaArb = fieldsArb(3).map((fields) => ({ fields }));

/** Rebuilds every object with its keys in a random order. */
function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v && typeof v === "object") {
    const entries = Object.entries(v).sort(() => rnd() - 0.5);
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, rnd)]));
  }
  return v;
}

describe("properties", () => {
  it("diff(x, x) is empty and not breaking", () => {
    fc.assert(
      fc.property(schemaArb, (s) => {
        const n = normalizeSchema(s).schema;
        expect(diffSchemas(n, n)).toEqual({ breaking: false, changes: [] });
      }),
    );
  });

  it("normalising is idempotent (canonical form is a fixed point)", () => {
    fc.assert(
      fc.property(schemaArb, (s) => {
        const once = normalizeSchema(s).schema;
        expect(normalizeSchema(once).schema).toEqual(once);
      }),
    );
  });

  it("the hash ignores key order and changes with content", () => {
    fc.assert(
      fc.property(schemaArb, fc.integer(), (s, seed) => {
        let x = seed;
        const rnd = () => {
          x = (x * 1103515245 + 12345) % 2147483648;
          return Math.abs(x) / 2147483648;
        };
        const a = normalizeSchema(s).schema;
        const b = normalizeSchema(shuffleKeys(s, rnd)).schema;
        expect(schemaHash(b)).toBe(schemaHash(a));
        const changed = { fields: [...a.fields, { name: "zz_added", type: "int32", nullable: true }] };
        expect(schemaHash(changed)).not.toBe(schemaHash(a));
      }),
    );
  });

  it("adding a nullable field is never breaking; removing one always is", () => {
    fc.assert(
      fc.property(schemaArb, scalarType, (s, t) => {
        const n = normalizeSchema(s).schema;
        const plus = { fields: [...n.fields, { name: "zz_new", type: t, nullable: true }] };
        expect(diffSchemas(n, plus).breaking).toBe(false);
        expect(diffSchemas(plus, n)).toMatchObject({
          breaking: true,
          changes: [{ kind: "field_removed", path: "zz_new" }],
        });
      }),
    );
  });

  it("a type change and its reverse are never both non-breaking (widening is one-way)", () => {
    fc.assert(
      fc.property(scalarType, scalarType, (a, b) => {
        fc.pre(a !== b);
        expect(compareTypes(a, b).breaking || compareTypes(b, a).breaking).toBe(true);
      }),
    );
  });

  it("canonical type names are fixed points", () => {
    fc.assert(
      fc.property(scalarType, (t) => {
        expect(canonicalType(canonicalType(t))).toBe(canonicalType(t));
        expect(canonicalType(t)).toBe(t);
      }),
    );
  });
});
