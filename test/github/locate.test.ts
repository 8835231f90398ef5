import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldLocator, keyLine } from "../../src/github/locate.ts";
import { normalizeSchema } from "../../src/schemas/check.ts";

const lineOf = (text: string, needle: string, from = 0) =>
  text.split("\n").findIndex((l, i) => i >= from && l.includes(needle)) + 1;

/** Every dotted path of a canonical schema. */
function paths(fields: { name: string; fields?: unknown[] }[], prefix = ""): string[] {
  return fields.flatMap((f) => {
    const p = prefix ? `${prefix}.${f.name}` : f.name;
    return [p, ...paths((f.fields ?? []) as { name: string; fields?: unknown[] }[], p)];
  });
}

describe("field lines", () => {
  it("Vigil's form, nested: the line of each field's name", () => {
    const text = JSON.stringify(
      {
        fields: [
          { name: "id", type: "int64" },
          {
            name: "address",
            type: "struct",
            fields: [
              { name: "city", type: "string" },
              { name: "id", type: "string" },
            ],
          },
        ],
      },
      null,
      2,
    );
    const at = fieldLocator(text);
    expect(at("id")).toBe(lineOf(text, '"name": "id"'));
    expect(at("address")).toBe(lineOf(text, '"name": "address"'));
    expect(at("address.city")).toBe(lineOf(text, '"name": "city"'));
    // The nested id, not the top-level one.
    expect(at("address.id")).toBe(lineOf(text, '"name": "id"', lineOf(text, '"name": "city"')));
    expect(at("nowhere")).toBeUndefined();
  });

  it("JSON Schema: property keys, through arrays of objects", () => {
    const text = `{
  "type": "object",
  "properties": {
    "id": { "type": "integer" },
    "items": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "sku": { "type": "string" }
        }
      }
    }
  }
}`;
    const at = fieldLocator(text);
    expect(at("id")).toBe(4);
    expect(at("items")).toBe(5);
    expect(at("items.sku")).toBe(10);
    // The same paths the normaliser gives.
    expect(paths(normalizeSchema(text).schema.fields).map(at)).toEqual([4, 5, 10]);
  });

  it("OpenLineage facets and information_schema rows", () => {
    const facet = `{
  "_producer": "x",
  "fields": [
    { "name": "a", "type": "int" },
    { "name": "b", "type": "string" }
  ]
}`;
    expect(fieldLocator(facet)("b")).toBe(5);
    const rows = `[
  { "table_name": "t", "column_name": "x", "data_type": "integer" },
  { "table_name": "t", "column_name": "y", "data_type": "text" }
]`;
    expect(fieldLocator(rows)("y")).toBe(3);
  });

  it("CREATE TABLE and psql CSV: the first line naming the column", () => {
    const sql = `create table orders (
  id bigint not null,
  "amount" numeric(10, 2),
  amount_usd numeric
);`;
    const at = fieldLocator(sql);
    expect(at("id")).toBe(2);
    expect(at("amount")).toBe(3);
    expect(at("amount_usd")).toBe(4);
    const csv = "table_name,column_name,data_type\norders,id,bigint\norders,column_name_x,text\n";
    expect(fieldLocator(csv)("id")).toBe(2);
  });

  it("for any Vigil schema, each field is placed on the line that names it", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const field = fc.letrec((tie) => ({
      field: fc.record({
        name,
        type: fc.constantFrom("int64", "string", "struct"),
        fields: fc.oneof(
          { depthSize: "small" },
          fc.constant(undefined),
          fc.uniqueArray(tie("field"), { maxLength: 3, selector: (f) => (f as { name: string }).name }),
        ),
      }),
    })).field;
    fc.assert(
      fc.property(
        fc.uniqueArray(field, { minLength: 1, maxLength: 6, selector: (f) => f.name }),
        (fields) => {
          const clean = JSON.parse(JSON.stringify({ fields }));
          const text = JSON.stringify(clean, null, 2);
          const at = fieldLocator(text);
          const lines = text.split("\n");
          for (const p of paths(clean.fields)) {
            const line = at(p);
            expect(line, p).toBeDefined();
            expect(lines[line! - 1]).toContain(`"name": ${JSON.stringify(p.split(".").at(-1))}`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("key lines", () => {
  it("finds a key by its path in JSON or YAML", () => {
    const json = `{\n  "fields": {\n    "age": { "type": "integer" },\n    "plan": {}\n  }\n}`;
    expect(keyLine(json, ["fields", "plan"])).toBe(4);
    expect(keyLine(json, ["fields", "nope"])).toBeUndefined();
    expect(keyLine("a:\n  - x\n  - y\n", ["a", 1])).toBe(3);
    expect(keyLine("{ broken", ["a"])).toBeUndefined();
  });
});
