import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STATUS_OF } from "../../src/http/errors.ts";
import { LIMITS } from "../../src/schemas/canonical.ts";
import { SchemaInputError } from "../../src/schemas/errors.ts";
import { detectFormat, normalizeSchema } from "../../src/schemas/normalize.ts";
import { canonicalType } from "../../src/schemas/types.ts";

const fieldsOf = (input: unknown, opts = {}) => normalizeSchema(input, opts).schema.fields;

function expectError(fn: () => unknown, status: number, code: string, message?: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaInputError);
    const err = e as SchemaInputError;
    // The status the API answers for this kind of error.
    expect({ status: STATUS_OF[err.kind], code: err.code }).toEqual({ status, code });
    if (message) expect(err.message).toMatch(message);
    return;
  }
  throw new Error("expected a SchemaInputError");
}

describe("canonical type names", () => {
  it.each([
    ["int", "int32"],
    ["INTEGER", "int32"],
    ["bigint", "int64"],
    ["int8", "int16"],
    ["smallint", "int16"],
    ["double precision", "float64"],
    ["real", "float32"],
    ["float(10)", "float32"],
    ["numeric(10, 2)", "decimal(10,2)"],
    ["decimal(7)", "decimal(7,0)"],
    ["numeric", "decimal"],
    ["character varying(20)", "varchar(20)"],
    ["VARCHAR", "string"],
    ["text", "string"],
    ["timestamp(3) with time zone", "timestamptz"],
    ["timestamp without time zone", "timestamp"],
    ["datetime64[ns, UTC]", "timestamptz"],
    ["jsonb", "json"],
    ["bytea", "bytes"],
    ["int[]", "array<int32>"],
    ["array<struct<a:int,b:string>>", "array<struct>"],
    ["map<string,bigint>", "map<string,int64>"],
    ["geometry", "geometry"],
    ["", "unknown"],
  ])("%s → %s", (raw, canonical) => {
    expect(canonicalType(raw)).toBe(canonical);
  });

  it("reads Postgres spellings in the postgres dialect", () => {
    expect(canonicalType("int8", "postgres")).toBe("int64");
    expect(canonicalType("char", "postgres")).toBe("varchar(1)");
  });
});

describe("Vigil's own form", () => {
  it("keeps order, nullability, descriptions, nesting and aliases", () => {
    const fields = fieldsOf({
      fields: [
        { name: "id", type: "bigint", nullable: false, description: "key" },
        {
          name: "addr",
          type: "struct",
          nullable: true,
          fields: [{ name: "city", type: "text", nullable: false }],
        },
        { name: "mail", type: "string", nullable: true, renamedFrom: "email" },
      ],
    });
    expect(fields).toEqual([
      { name: "id", type: "int64", nullable: false, description: "key" },
      {
        name: "addr",
        type: "struct",
        nullable: true,
        fields: [{ name: "city", type: "string", nullable: false }],
      },
      { name: "mail", type: "string", nullable: true, renamedFrom: ["email"] },
    ]);
  });

  it("treats a missing nullable as nullable and fields under an array type as array<struct>", () => {
    const fields = fieldsOf({
      fields: [{ name: "items", type: "array", fields: [{ name: "sku", type: "string" }] }],
    });
    expect(fields[0]).toMatchObject({ type: "array<struct>", nullable: true, fields: [{ name: "sku" }] });
  });

  it("rejects duplicate names and empty names", () => {
    expectError(
      () =>
        fieldsOf({
          fields: [
            { name: "a", type: "int" },
            { name: "a", type: "int" },
          ],
        }),
      422,
      "invalid_schema",
      /Duplicate/,
    );
    expectError(() => fieldsOf({ fields: [{ name: "", type: "int" }] }), 422, "invalid_schema");
  });
});

describe("JSON Schema", () => {
  it("draft 2020-12: $defs refs, required, nullable unions, formats, arrays of objects", () => {
    const fields = fieldsOf({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["id", "created", "tags"],
      properties: {
        id: { type: "string", format: "uuid" },
        created: { type: "string", format: "date-time" },
        nick: { type: ["string", "null"], maxLength: 30 },
        tags: { type: "array", items: { type: "string" } },
        owner: { $ref: "#/$defs/user" },
        lines: { type: "array", items: { $ref: "#/$defs/line" } },
        score: { anyOf: [{ type: "number" }, { type: "null" }] },
      },
      $defs: {
        user: { type: "object", required: ["login"], properties: { login: { type: "string" } } },
        line: { type: "object", properties: { qty: { type: "integer" } } },
      },
    });
    expect(fields).toEqual([
      { name: "id", type: "uuid", nullable: false },
      { name: "created", type: "timestamptz", nullable: false },
      { name: "nick", type: "varchar(30)", nullable: true },
      { name: "tags", type: "array<string>", nullable: false },
      {
        name: "owner",
        type: "struct",
        nullable: true,
        fields: [{ name: "login", type: "string", nullable: false }],
      },
      {
        name: "lines",
        type: "array<struct>",
        nullable: true,
        fields: [{ name: "qty", type: "int64", nullable: true }],
      },
      { name: "score", type: "float64", nullable: true },
    ]);
  });

  it("draft-07: definitions, a required field typed [x, null] stays nullable, allOf merges", () => {
    const fields = fieldsOf({
      $schema: "http://json-schema.org/draft-07/schema#",
      definitions: {
        base: { type: "object", required: ["a"], properties: { a: { type: "integer", format: "int32" } } },
      },
      allOf: [
        { $ref: "#/definitions/base" },
        { type: "object", required: ["b"], properties: { b: { type: ["boolean", "null"] } } },
      ],
    });
    expect(fields).toEqual([
      { name: "a", type: "int32", nullable: false },
      { name: "b", type: "boolean", nullable: true },
    ]);
  });

  it("siblings of $ref override the target's description", () => {
    const fields = fieldsOf({
      type: "object",
      properties: { d: { $ref: "#/$defs/day", description: "the day" } },
      $defs: { day: { type: "string", format: "date", description: "generic" } },
    });
    expect(fields[0]).toEqual({ name: "d", type: "date", nullable: true, description: "the day" });
  });

  it("object branches of oneOf merge; mixed scalar unions become json with a warning", () => {
    const n = normalizeSchema({
      type: "object",
      properties: {
        pay: {
          oneOf: [
            {
              type: "object",
              required: ["kind", "card"],
              properties: { kind: { const: "card" }, card: { type: "string" } },
            },
            {
              type: "object",
              required: ["kind", "iban"],
              properties: { kind: { const: "bank" }, iban: { type: "string" } },
            },
          ],
        },
        v: { oneOf: [{ type: "string" }, { type: "integer" }] },
      },
    });
    expect(n.schema.fields[0]!.fields).toEqual([
      { name: "kind", type: "string", nullable: false },
      { name: "card", type: "string", nullable: true },
      { name: "iban", type: "string", nullable: true },
    ]);
    expect(n.schema.fields[1]).toMatchObject({ type: "json" });
    expect(n.warnings.join()).toMatch(/v: union of string \| int64 read as json/);
  });

  it("a root array of objects describes its rows", () => {
    expect(
      fieldsOf({ type: "array", items: { type: "object", properties: { x: { type: "integer" } } } }),
    ).toEqual([{ name: "x", type: "int64", nullable: true }]);
  });

  it("cyclic $ref → 422 cyclic_schema naming the cycle", () => {
    expectError(
      () =>
        fieldsOf({
          type: "object",
          properties: { root: { $ref: "#/$defs/node" } },
          $defs: {
            node: {
              type: "object",
              properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } },
            },
          },
        }),
      422,
      "cyclic_schema",
      /#\/\$defs\/node → #\/\$defs\/node/,
    );
  });

  it("a $ref used twice side by side is not a cycle", () => {
    const fields = fieldsOf({
      type: "object",
      properties: { a: { $ref: "#/$defs/p" }, b: { $ref: "#/$defs/p" } },
      $defs: { p: { type: "object", properties: { x: { type: "string" } } } },
    });
    expect(fields.map((f) => f.fields?.length)).toEqual([1, 1]);
  });

  it("external or dangling $ref → 422 with the ref", () => {
    expectError(
      () => fieldsOf({ type: "object", properties: { a: { $ref: "other.json#/x" } } }),
      422,
      "invalid_schema",
      /other\.json/,
    );
    expectError(
      () => fieldsOf({ type: "object", properties: { a: { $ref: "#/$defs/nope" } } }),
      422,
      "invalid_schema",
      /nope/,
    );
  });

  it("a non-object root → 422", () => {
    expectError(
      () => fieldsOf({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "string" }),
      422,
      "invalid_schema",
    );
  });

  it("too many fields → 413 (also when $refs expand exponentially)", () => {
    // Each level references the next twice: 2^20 leaves if expanded naively.
    const $defs: Record<string, unknown> = { l20: { type: "string" } };
    for (let i = 19; i >= 0; i--)
      $defs[`l${i}`] = {
        type: "object",
        properties: { a: { $ref: `#/$defs/l${i + 1}` }, b: { $ref: `#/$defs/l${i + 1}` } },
      };
    expectError(
      () => fieldsOf({ type: "object", properties: { root: { $ref: "#/$defs/l0" } }, $defs }),
      413,
      "schema_too_large",
      /10000 fields/,
    );
  });

  it("nesting deeper than the limit → 413 naming the path", () => {
    let node: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < LIMITS.maxDepth + 2; i++) node = { type: "object", properties: { n: node } };
    expectError(() => fieldsOf(node), 413, "schema_too_large", /deeper than 32 levels \(at n\.n\.n/);
  });
});

describe("OpenLineage schema facet", () => {
  it("reads the facet, nested fields, null types and descriptions", () => {
    const n = normalizeSchema({
      _producer: "https://example.com/producer",
      _schemaURL: "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json",
      fields: [
        { name: "id", type: "INT64" },
        { name: "payload", type: "STRUCT", fields: [{ name: "k", type: "STRING", description: null }] },
        { name: "untyped", type: null, description: null },
        { name: "tags", type: "array<string>" },
      ],
    });
    expect(n.format).toBe("openlineage");
    expect(n.schema.fields).toEqual([
      { name: "id", type: "int64", nullable: true },
      {
        name: "payload",
        type: "struct",
        nullable: true,
        fields: [{ name: "k", type: "string", nullable: true }],
      },
      { name: "untyped", type: "unknown", nullable: true },
      { name: "tags", type: "array<string>", nullable: true },
    ]);
  });

  describe("nested-type conventions of OpenLineage's producers", () => {
    const facetFixture = (name: string) =>
      JSON.parse(readFileSync(new URL(`./fixtures/openlineage/${name}`, import.meta.url), "utf8"));

    it("the spec's own SchemaDatasetFacet test: _element arrays, key/value maps, unions", () => {
      const n = normalizeSchema(facetFixture("spec-tests-SchemaDatasetFacet-1.json"));
      expect(n.format).toBe("openlineage");
      const byName = Object.fromEntries(n.schema.fields.map((f) => [f.name, f]));
      expect(byName.phones).toEqual({
        name: "phones",
        type: "array<string>",
        nullable: true,
        description: "List of phone numbers",
      });
      expect(byName.addresses!.type).toBe("struct");
      expect(byName.addresses!.fields!.map((f) => f.name)).toEqual([
        "type",
        "country",
        "zip",
        "state",
        "street",
      ]);
      // key: string, value: union of string | int64 (nothing holds both but json).
      expect(byName.custom_properties).toEqual({
        name: "custom_properties",
        type: "map<string,json>",
        nullable: true,
      });
      expect(n.warnings).toEqual(["custom_properties.value: union of string | int64 read as json"]);
    });

    it("Spark's PlanUtils.schemaFacet: arrays of primitives and of structs, maps (PlanUtilsTest's schemas)", () => {
      // What PlanUtils.transformField writes for StructType(a string, b int, arrayPrimitive
      // array<string>, arrayNested array<struct<c:string>>, m map<string,int>).
      const fields = fieldsOf({
        _producer: "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/integration/spark",
        _schemaURL:
          "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
        fields: [
          { name: "a", type: "string", description: "a description" },
          { name: "b", type: "integer" },
          {
            name: "arrayPrimitive",
            type: "array",
            description: "arrayPrimitive description",
            fields: [{ name: "_element", type: "string" }],
          },
          {
            name: "arrayNested",
            type: "array",
            fields: [
              {
                name: "_element",
                type: "struct",
                fields: [{ name: "c", type: "string", description: "c description" }],
              },
            ],
          },
          {
            name: "m",
            type: "map",
            fields: [
              { name: "key", type: "string" },
              { name: "value", type: "integer" },
            ],
          },
          {
            name: "matrix",
            type: "array",
            fields: [{ name: "_element", type: "array", fields: [{ name: "_element", type: "double" }] }],
          },
        ],
      });
      expect(fields).toEqual([
        { name: "a", type: "string", nullable: true, description: "a description" },
        { name: "b", type: "int32", nullable: true },
        {
          name: "arrayPrimitive",
          type: "array<string>",
          nullable: true,
          description: "arrayPrimitive description",
        },
        {
          name: "arrayNested",
          type: "array<struct>",
          nullable: true,
          // The element's fields are the array's: arrayNested.c, as Spark's own paths say.
          fields: [{ name: "c", type: "string", nullable: true, description: "c description" }],
        },
        { name: "m", type: "map<string,int32>", nullable: true },
        { name: "matrix", type: "array<array<float64>>", nullable: true },
      ]);
    });

    it("Flink's Iceberg spelling (LIST, MAP) and Avro unions (_string, _long)", () => {
      const fields = fieldsOf({
        _producer: "flink",
        fields: [
          { name: "tags", type: "LIST", fields: [{ name: "_element", type: "STRING" }] },
          {
            name: "attrs",
            type: "MAP",
            fields: [
              { name: "key", type: "STRING" },
              { name: "value", type: "LONG" },
            ],
          },
          {
            name: "amount",
            type: "union",
            fields: [
              { name: "_int", type: "int" },
              { name: "_long", type: "long" },
            ],
          },
        ],
      });
      expect(fields.map((f) => [f.name, f.type])).toEqual([
        ["tags", "array<string>"],
        ["attrs", "map<string,int64>"],
        ["amount", "int64"],
      ]);
    });

    it("only the conventions: other nested fields of arrays and maps stay structs; Vigil's own form is literal", () => {
      const facet = {
        _producer: "p",
        fields: [
          { name: "pairs", type: "array", fields: [{ name: "x", type: "int" }] },
          { name: "kv", type: "struct", fields: [{ name: "_element", type: "int" }] },
        ],
      };
      expect(fieldsOf(facet).map((f) => [f.name, f.type, f.fields?.map((c) => c.name)])).toEqual([
        ["pairs", "array<struct>", ["x"]],
        ["kv", "struct", ["_element"]],
      ]);
      const vigil = fieldsOf(
        { fields: [{ name: "phones", type: "array", fields: [{ name: "_element", type: "string" }] }] },
        { format: "vigil" },
      );
      expect(vigil[0]).toMatchObject({ type: "array<struct>", fields: [{ name: "_element" }] });
    });
  });

  it("accepts the facet wrapped as {schema: …} and inside a dataset", () => {
    const facet = { fields: [{ name: "a", type: "int" }] };
    expect(detectFormat({ schema: facet })).toBe("openlineage");
    expect(fieldsOf({ namespace: "pg", name: "t", facets: { schema: facet } })).toEqual([
      { name: "a", type: "int32", nullable: true },
    ]);
  });

  it("derives nested fields from Spark struct type strings", () => {
    const fields = fieldsOf({
      _producer: "spark",
      fields: [{ name: "s", type: "struct<a:int,b:array<struct<c:string>>>" }],
    });
    expect(fields[0]).toEqual({
      name: "s",
      type: "struct",
      nullable: true,
      fields: [
        { name: "a", type: "int32", nullable: true },
        {
          name: "b",
          type: "array<struct>",
          nullable: true,
          fields: [{ name: "c", type: "string", nullable: true }],
        },
      ],
    });
  });
});

describe("Postgres information_schema.columns", () => {
  const rows = [
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "note",
      ordinal_position: 3,
      is_nullable: "YES",
      data_type: "character varying",
      character_maximum_length: 200,
    },
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "id",
      ordinal_position: 1,
      is_nullable: "NO",
      data_type: "bigint",
    },
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "amount",
      ordinal_position: 2,
      is_nullable: "NO",
      data_type: "numeric",
      numeric_precision: 12,
      numeric_scale: 2,
    },
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "tags",
      ordinal_position: 4,
      is_nullable: "YES",
      data_type: "ARRAY",
      udt_name: "_int8",
    },
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "status",
      ordinal_position: 5,
      is_nullable: "YES",
      data_type: "USER-DEFINED",
      udt_name: "order_status",
    },
    {
      table_schema: "public",
      table_name: "orders",
      column_name: "at",
      ordinal_position: 6,
      is_nullable: "NO",
      data_type: "timestamp with time zone",
    },
  ];
  const expected = [
    { name: "id", type: "int64", nullable: false },
    { name: "amount", type: "decimal(12,2)", nullable: false },
    { name: "note", type: "varchar(200)", nullable: true },
    { name: "tags", type: "array<int64>", nullable: true },
    { name: "status", type: "order_status", nullable: true },
    { name: "at", type: "timestamptz", nullable: false },
  ];

  it("JSON rows, ordered by ordinal_position", () => {
    const n = normalizeSchema(rows);
    expect(n.format).toBe("information_schema");
    expect(n.schema.fields).toEqual(expected);
  });

  it("CSV from psql --csv gives the same schema", () => {
    const header =
      "table_schema,table_name,column_name,ordinal_position,is_nullable,data_type,character_maximum_length,numeric_precision,numeric_scale,udt_name";
    const csv = [
      header,
      "public,orders,id,1,NO,bigint,,64,0,int8",
      "public,orders,amount,2,NO,numeric,,12,2,numeric",
      "public,orders,note,3,YES,character varying,200,,,varchar",
      "public,orders,tags,4,YES,ARRAY,,,,_int8",
      "public,orders,status,5,YES,USER-DEFINED,,,,order_status",
      'public,orders,at,6,NO,"timestamp with time zone",,,,timestamptz',
    ].join("\n");
    expect(fieldsOf(csv)).toEqual(expected);
  });

  it("several tables need `table`", () => {
    const two = [
      ...rows,
      {
        table_name: "users",
        table_schema: "public",
        column_name: "id",
        data_type: "integer",
        is_nullable: "NO",
      },
    ];
    expectError(() => fieldsOf(two), 422, "invalid_schema", /2 tables/);
    expect(fieldsOf(two, { table: "users" })).toEqual([{ name: "id", type: "int32", nullable: false }]);
    expect(fieldsOf(two, { table: "public.orders" })).toHaveLength(6);
  });

  it("rows without data_type → 422 naming the row", () => {
    expectError(
      () =>
        normalizeSchema([{ column_name: "a", data_type: "int" }, { column_name: "b" }], {
          format: "information_schema",
        }),
      422,
      "invalid_schema",
      /row 2/,
    );
  });
});

describe("CREATE TABLE", () => {
  it("reads a drizzle-kit style migration with other statements around it", () => {
    const sql = `CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "events" (
  "id" bigserial PRIMARY KEY NOT NULL,
  "project_id" uuid NOT NULL REFERENCES projects(id),
  "kind" varchar(32) NOT NULL DEFAULT 'x;y',
  "payload" jsonb,
  "score" double precision,
  "labels" text[],
  "at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "events_at" ON "events" USING btree ("at");
COMMENT ON COLUMN events.kind IS 'what happened';`;
    expect(fieldsOf(sql)).toEqual([
      { name: "id", type: "int64", nullable: false },
      { name: "project_id", type: "uuid", nullable: false },
      { name: "kind", type: "varchar(32)", nullable: false, description: "what happened" },
      { name: "payload", type: "json", nullable: true },
      { name: "score", type: "float64", nullable: true },
      { name: "labels", type: "array<string>", nullable: true },
      { name: "at", type: "timestamptz", nullable: false },
    ]);
  });

  it("a table-level PRIMARY KEY makes its columns required", () => {
    expect(fieldsOf("create table t (a int, b int, primary key (a, b), c numeric(5,1))")).toEqual([
      { name: "a", type: "int32", nullable: false },
      { name: "b", type: "int32", nullable: false },
      { name: "c", type: "decimal(5,1)", nullable: true },
    ]);
  });

  it("several tables need `table`; broken SQL is a 400", () => {
    const sql = "create table a (x int); create table s.b (y text);";
    expectError(() => fieldsOf(sql), 422, "invalid_schema", /2 tables/);
    expect(fieldsOf(sql, { table: "s.b" })).toEqual([{ name: "y", type: "string", nullable: true }]);
    expectError(() => fieldsOf("create table t (a int,, b)"), 400, "invalid_schema_syntax", /CREATE TABLE/);
  });
});

describe("detection and bad input", () => {
  it("detects every form", () => {
    expect(detectFormat({ fields: [] })).toBe("vigil");
    expect(detectFormat({ type: "object", properties: {} })).toBe("jsonschema");
    expect(detectFormat({ $schema: "x", $ref: "#/$defs/a" })).toBe("jsonschema");
    expect(detectFormat({ _producer: "p", fields: [] })).toBe("openlineage");
    expect(detectFormat([{ column_name: "a", data_type: "int" }])).toBe("information_schema");
    expect(detectFormat("column_name,data_type\na,int")).toBe("information_schema");
    expect(detectFormat("CREATE TABLE t (a int)")).toBe("sql");
    expect(detectFormat({ hello: 1 })).toBeUndefined();
  });

  it("the explicit format wins over detection", () => {
    // Looks like Vigil's form, read as a JSON Schema it has no properties.
    expectError(() => normalizeSchema({ fields: [] }, { format: "jsonschema" }), 422, "invalid_schema");
  });

  it("not JSON → 400; unknown form → 422; deep JSON → 413; big text → 413", () => {
    expectError(() => normalizeSchema('{"fields": [}'), 400, "invalid_schema_syntax", /not valid JSON/);
    expectError(() => normalizeSchema("hello world"), 400, "invalid_schema_syntax", /neither JSON/);
    expectError(() => normalizeSchema({ hello: 1 }), 422, "unknown_schema_form", /Expected/);
    expectError(() => normalizeSchema(42), 422, "unknown_schema_form");
    const deep = JSON.parse(`${"[".repeat(300)}${"]".repeat(300)}`);
    expectError(() => normalizeSchema({ fields: deep }), 413, "schema_too_large", /256 levels/);
    expectError(() => normalizeSchema(" ".repeat(LIMITS.maxInputBytes + 1)), 413, "schema_too_large");
  });
});
