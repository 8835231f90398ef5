/**
 * canonicalJson replaced three key-sorted JSON encoders whose output is hashed and stored (schema
 * snapshot hashes, RAG document content hashes, span resource ids). Each old implementation is
 * copied here verbatim, and the new code is compared with it over the shapes each site hashes, plus
 * golden hashes computed with the old code before the switch. A stored hash that changed would make
 * equal content look new: duplicate schema versions, re-embedded documents, duplicate resources.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import stableStringify from "safe-stable-stringify";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonIndexKeysFirst } from "../../src/lib/canonical-json.ts";
import { contentHash } from "../../src/rag/store.ts";
import type { CanonicalField, CanonicalSchema } from "../../src/schemas/canonical.ts";
import { schemaHash } from "../../src/schemas/hash.ts";
import type { Attributes, Scope } from "../../src/traces/model.ts";
import { resourceId } from "../../src/traces/store/copy-text.ts";

// ---- The old implementations, verbatim (src/schemas/hash.ts, src/rag/store.ts, src/traces/store/copy-text.ts).

function oldCanonicalField(f: CanonicalField): unknown {
  const out: Record<string, unknown> = { name: f.name, nullable: f.nullable, type: f.type };
  if (f.description !== undefined) out.description = f.description;
  if (f.fields !== undefined) out.fields = f.fields.map(oldCanonicalField);
  if (f.renamedFrom !== undefined && f.renamedFrom.length > 0) out.renamedFrom = [...f.renamedFrom].sort();
  return out;
}

function oldSchemaStableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oldSchemaStableStringify).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${oldSchemaStableStringify(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function oldSchemaHash(schema: CanonicalSchema): string {
  const body = oldSchemaStableStringify({ fields: schema.fields.map(oldCanonicalField) });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

function oldContentHash(kind: string, title: string, content: string, metadata: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([kind, title, content, oldRagCanonical(metadata ?? {})]))
    .digest("hex");
}
function oldRagCanonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(oldRagCanonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, oldRagCanonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

function oldResourceId(resource: object, scope: object): string {
  const hex = createHash("md5")
    .update(stableStringify([resource, scope]) ?? "")
    .digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- What the sites hash.

/** Any UTF-16 code unit, lone surrogates included (JSON.parse accepts "\ud800"). */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), codeUnits);
/** Keys where orders can differ: array indices (numeric order in JS objects), near-indices, "", __proto__. */
const key = fc.oneof(
  text,
  fc.nat({ max: 30 }).map(String),
  fc.constantFrom(
    "",
    "__proto__",
    "constructor",
    "toJSON",
    "01",
    "-1",
    "1.5",
    "1e3",
    " ",
    "-",
    "4294967294",
    "4294967295",
    "4294967296",
    "é",
    "😀",
    "\ud800",
    "Z",
    "a",
  ),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
);
/** Objects built with JSON.parse's semantics: "__proto__" is an own key, not the prototype. */
const object = <T>(value: fc.Arbitrary<T>) =>
  fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }).map((entries) => {
    const o: Record<string, T> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
    return o;
  });
/** JSON values, with `undefined` object members (left out by every encoder) where `withUndefined`. */
const jsonValue = (withUndefined: boolean) =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      number,
      text,
      fc.array(tie("value"), { maxLength: 5 }),
      object(withUndefined ? fc.option(tie("value"), { nil: undefined }) : tie("value")),
    ),
  })).value;

const field: fc.Arbitrary<CanonicalField> = fc.letrec<{ field: CanonicalField }>((tie) => ({
  field: fc.record(
    {
      name: text,
      type: fc.oneof(fc.constantFrom("string", "int64", "struct", "array<struct>", "decimal(10,2)"), text),
      nullable: fc.boolean(),
      description: fc.option(text, { nil: undefined }),
      fields: fc.option(fc.array(tie("field"), { maxLength: 3 }), { nil: undefined, depthSize: "small" }),
      renamedFrom: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    },
    { requiredKeys: ["name", "type", "nullable"] },
  ),
})).field;
const schema = fc.record({ fields: fc.array(field, { maxLength: 6 }) });

const attrValue = jsonValue(false).filter((v) => v !== undefined) as fc.Arbitrary<Attributes[string]>;
const attributes = object(attrValue);
const scope: fc.Arbitrary<Scope> = fc.record(
  { name: text, version: text, attributes },
  { requiredKeys: [] },
) as fc.Arbitrary<Scope>;

const runs = { numRuns: 2000 };

describe("canonical JSON: byte-identical to what each site hashed before", () => {
  it("schema snapshot hashes: canonicalJson over canonical schemas = the old stableStringify", () => {
    fc.assert(
      fc.property(schema, (s) => {
        expect(schemaHash(s)).toBe(oldSchemaHash(s));
        const body = { fields: s.fields.map(oldCanonicalField) };
        expect(canonicalJson(body)).toBe(oldSchemaStableStringify(body));
      }),
      runs,
    );
  });

  it("schemas' old stableStringify = canonicalJson on any JSON value (undefined members included)", () => {
    fc.assert(
      fc.property(jsonValue(true), (v) => {
        fc.pre(typeof v === "object" && v !== null);
        expect(canonicalJson(v as object)).toBe(oldSchemaStableStringify(v));
      }),
      runs,
    );
  });

  it("RAG content hashes: same as before for any JSON metadata, numeric keys included", () => {
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.option(jsonValue(true), { nil: undefined }),
        (kind, title, body, meta) => {
          expect(contentHash(kind, title, body, meta)).toBe(oldContentHash(kind, title, body, meta));
        },
      ),
      runs,
    );
  });

  it("RAG: incident metadata (strings, null, absent members)", () => {
    const meta = fc.record({
      incidentId: fc.uuid(),
      incidentKind: fc.constantFrom("exception", "alert", "schema", "validation"),
      status: fc.constantFrom("open", "acknowledged", "resolved"),
      severity: fc.constantFrom("low", "medium", "high", "critical"),
      source: fc.option(text, { nil: fc.constantFrom(null, undefined) as never }),
    });
    fc.assert(
      fc.property(text, text, meta, (title, body, m) => {
        expect(contentHash("incident", title, body, m)).toBe(oldContentHash("incident", title, body, m));
      }),
      runs,
    );
  });

  it("span resource ids: canonicalJson is safe-stable-stringify as resourceId called it", () => {
    fc.assert(
      fc.property(attributes, scope, (r, s) => {
        expect(resourceId(r, s)).toBe(oldResourceId(r, s));
      }),
      runs,
    );
    fc.assert(
      fc.property(jsonValue(true), fc.bigInt(), (v, big) => {
        const value = [v, { big }];
        expect(canonicalJson(value)).toBe(stableStringify(value));
      }),
      runs,
    );
  });

  it("edge cases: key order, nesting, unicode, numbers, null and undefined members, many keys", () => {
    const cases: object[] = [
      { b: 1, a: 2, A: 3, "": 4, é: 5, "😀": 6, "\ud800": 7 },
      JSON.parse('{"__proto__": {"z": 1, "a": [3, {"y": null, "x": -0}]}, "constructor": 1}'),
      [-0, 0, 1e21, 1e-7, 5e-324, 2 ** 53 + 2, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY],
      { a: undefined, b: null, c: [null, [], {}], d: { e: { f: { g: "deep" } } } },
      { s: 'quote " backslash \\ tab \t nl \n nul \0 lone \udc00 pair \ud83d\ude00 \u2028' },
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${(i * 7919) % 300}`, i])),
    ];
    for (const value of cases) {
      expect(canonicalJson(value)).toBe(oldSchemaStableStringify(value));
      expect(canonicalJson(value)).toBe(stableStringify(value));
      expect(canonicalJsonIndexKeysFirst(value)).toBe(JSON.stringify(oldRagCanonical(value)));
    }
    expect(canonicalJson({ b: [2, { d: 1, c: 0 }], a: -0 })).toBe('{"a":0,"b":[2,{"c":0,"d":1}]}');
  });

  it("numeric keys: RAG's order is JavaScript's (indices first, numerically), the others sort as text", () => {
    const value = JSON.parse('{"b": 1, "10": 2, "9": 3, "": 4, "4294967295": 5, "4294967294": 6, "01": 7}');
    expect(canonicalJsonIndexKeysFirst(value)).toBe(
      '{"9":3,"10":2,"4294967294":6,"":4,"01":7,"4294967295":5,"b":1}',
    );
    expect(canonicalJsonIndexKeysFirst(value)).toBe(JSON.stringify(oldRagCanonical(value)));
    expect(canonicalJson(value)).toBe('{"":4,"01":7,"10":2,"4294967294":6,"4294967295":5,"9":3,"b":1}');
  });

  it("where the old encoders differ, the input does not reach them", () => {
    // schemas: canonicalField never puts undefined in an array, nor a Date or a function anywhere.
    expect(oldSchemaStableStringify([undefined])).toBe("[]");
    expect(canonicalJson([undefined])).toBe("[null]");
    // RAG: metadata is JSON from the API or strings from incidents; no Date (old: {}, now its toJSON).
    expect(JSON.stringify(oldRagCanonical([new Date(0)]))).toBe("[{}]");
    expect(canonicalJsonIndexKeysFirst([new Date(0)])).toBe('["1970-01-01T00:00:00.000Z"]');
  });
});

describe("golden hashes, computed with the implementations before canonicalJson", () => {
  it("schema snapshot hashes", () => {
    const schemas: CanonicalSchema[] = [
      {
        fields: [
          { name: "id", type: "int64", nullable: false },
          { name: "email", type: "string", nullable: true, description: "Primary e-mail" },
        ],
      },
      {
        fields: [
          {
            name: "user",
            type: "struct",
            nullable: true,
            fields: [
              { name: "zip", type: "string", nullable: true },
              { name: "age", type: "int32", nullable: false, renamedFrom: ["years", "Age"] },
            ],
          },
          { name: "tags", type: "array<string>", nullable: true },
        ],
      },
      {
        fields: [
          {
            name: "naïve ☃ \ud83d\ude00",
            type: "float64",
            nullable: false,
            description: 'quote " backslash \\ tab \t nl \n lone \ud800',
          },
        ],
      },
      { fields: [] },
    ];
    expect(schemas.map(schemaHash)).toEqual([
      "sha256:381ead30cc8bfa8f934e14988b24e757d0fd993d3a1dbfb5b5507d0167a1b617",
      "sha256:328f62c3fa1bac74eb7f9076b4e99a2f173388f823c8e5396002bbb8c79bded9",
      "sha256:f801b01fa62ae67b618a74caa1fa8e04a2fb8064edca65b1fae05e9105b46c76",
      "sha256:01f2f9c28aa1d4d36a81ff042620b6677d25bf07c2bf4acc37b58658778a4fca",
    ]);
  });

  it("RAG document content hashes", () => {
    const docs: [string, string, string, unknown][] = [
      [
        "runbook",
        "Disk full",
        "# Disk full\n\nClear /var/log.",
        { team: "sre", url: "https://x.example/rb", tags: ["disk", "ops"] },
      ],
      [
        "runbook",
        "Versions",
        "body",
        {
          "10": "ten",
          "9": "nine",
          "": "empty",
          b: { "2": 1, "1": [2, { z: 1, a: -0 }] },
          big: 1e21,
          small: 1e-7,
          nil: null,
        },
      ],
      [
        "incident",
        "Latency ☃",
        "x",
        {
          incidentId: "0d0f3b9e-5a8c-4c79-9a5e-6f1f2b9f0c11",
          incidentKind: "exception",
          status: "open",
          severity: "high",
          source: undefined,
        },
      ],
      ["runbook", "Empty", "", undefined],
    ];
    expect(docs.map(([k, t, c, m]) => contentHash(k, t, c, m))).toEqual([
      "d20fd7da797b499d16effc823adb6914cbaba46e8b281caadf8d6791d3481fa0",
      "56f70210242198da312950402f7380b615546a70a710c5ad48262216d5547cf1",
      "966a4bb07d88e64c3e974b49c8eded5d0070eff3b5f3ce1255dd57d0f633b8dd",
      "60764e22daffbad80080ceb44640a8548b07674bb40f417743bdb45c788346e4",
    ]);
  });

  it("span resource ids", () => {
    const pairs: [Attributes, Scope][] = [
      [
        { "service.name": "checkout", "host.name": "h1", "k8s.pod.uid": "p" },
        { name: "io.opentelemetry.http", version: "1.2.0" },
      ],
      [
        { "service.name": "svc", "10": 1, "9": [1, 2.5, { b: true, a: null }], é: "ü" },
        { name: undefined, attributes: { z: "1", a: "2" } },
      ],
      [{}, {}],
    ];
    expect(pairs.map(([r, s]) => resourceId(r, s))).toEqual([
      "03e0c555-e126-a100-8f2a-fdc74c8ddca6",
      "fa28c586-78af-f612-d102-ae9a6b0ebbfc",
      "fe0dc471-04e2-9eb0-185e-ca031083841c",
    ]);
  });
});
