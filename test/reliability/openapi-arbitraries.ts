/**
 * fast-check arbitraries for requests to the routes of Vigil's own `/openapi.json`: values drawn
 * from each route's schemas (path and query parameters, JSON bodies), with hostile values mixed in
 * at every leaf — text Postgres cannot store, out-of-range numbers and dates, deep nesting, huge
 * strings — and whole bodies that are not what the Content-Type says.
 */
import fc from "fast-check";

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema as OpenAPI 3.1 prints it
export type JsonSchema = any;
export interface OpenApiDoc {
  paths: Record<string, Record<string, JsonSchema>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One generated request. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** A route of the document: its method, path template and operation. */
export interface Operation {
  method: string;
  path: string;
  op: JsonSchema;
}

export const operations = (doc: OpenApiDoc): Operation[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

/** A marker for "nest 10,000 deep here", built when the body is serialised (fast-check need not hold it). */
const DEEP = Symbol("deep");
const DEPTH = 10_000;

/** Strings Postgres or JSON tooling choke on: NUL, lone surrogates, a literal %00, control bytes, size. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udc00y",
  "\udfff\ud800",
  "%00",
  "\u0001\u001f\u007f",
  "../../etc/passwd",
  "' or 1=1 --",
  "$1",
  "🙂".repeat(3),
  "a".repeat(300_000),
];

/** Dates a date column or filter must refuse or bound. */
export const HOSTILE_DATES: readonly string[] = [
  "0000-01-01T00:00:00Z",
  "0000-01-01",
  "9999-12-31T23:59:59.999Z",
  "+275760-09-13T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "not a date",
];

/** Numbers that pass "is a number" and overflow what stores them. */
export const HOSTILE_NUMBERS: readonly number[] = [
  1e20,
  -1e20,
  -1,
  0,
  0.5,
  2 ** 63,
  -(2 ** 63),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** The same, as query-string text (where NaN and Infinity can be written). */
export const HOSTILE_NUMBER_TEXT: readonly string[] = [
  ...HOSTILE_NUMBERS.map(String),
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "0x10",
  " 1",
  "",
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileDate = fc.constantFrom(...HOSTILE_DATES);
const hostileNumber = fc.constantFrom(...HOSTILE_NUMBERS);

/** Any hostile JSON value: the wrong type in a field is hostile too. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileDate,
  hostileNumber,
  fc.constant(DEEP),
  fc.constant(null),
  fc.constant(true),
  fc.constant({}),
  fc.constant([]),
  fc.constant(Array.from({ length: 5_000 }, () => "x")),
);

/** Resolves a `$ref` to components.schemas. */
function deref(doc: OpenApiDoc, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; s?.$ref && i < 20; i++) s = doc.components?.schemas?.[String(s.$ref).split("/").pop()!];
  return s ?? {};
}

const withHostile = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid as fc.Arbitrary<unknown>, weight: 4 }, { arbitrary: hostile, weight: 1 });

/** Values for a schema: mostly valid, a hostile one at any leaf now and then. */
export function valuesFor(doc: OpenApiDoc, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (depth > 6) return fc.constant(null);
  const variants = s.anyOf ?? s.oneOf;
  if (Array.isArray(variants) && variants.length)
    return fc.oneof(...variants.map((v: JsonSchema) => valuesFor(doc, v, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length) return valuesFor(doc, s.allOf[0], depth + 1);
  if (s.const !== undefined) return withHostile(fc.constant(s.const), hostileValue);
  if (Array.isArray(s.enum)) return withHostile(fc.constantFrom(...s.enum), hostileString);
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valuesFor(doc, { ...s, type }, depth)));
  switch (types[0]) {
    case "string":
      return withHostile(
        stringOf(s),
        s.format === "date-time" || s.format === "date" ? hostileDate : hostileValue,
      );
    case "integer":
      return withHostile(
        fc.integer({ min: Math.max(s.minimum ?? -1000, -1e6), max: Math.min(s.maximum ?? 1000, 1e6) }),
        fc.oneof(hostileNumber, hostileValue),
      );
    case "number":
      return withHostile(
        fc.double({
          min: Math.max(s.minimum ?? -1000, -1e6),
          max: Math.min(s.maximum ?? 1000, 1e6),
          noNaN: true,
          noDefaultInfinity: true,
        }),
        fc.oneof(hostileNumber, hostileValue),
      );
    case "boolean":
      return withHostile(fc.boolean(), hostileValue);
    case "null":
      return fc.constant(null);
    case "array":
      return withHostile(
        fc.array(valuesFor(doc, s.items ?? {}, depth + 1), {
          minLength: s.minItems ?? 0,
          maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)),
        }),
        hostileValue,
      );
    case "object":
      return withHostile(objectOf(doc, s, depth), hostileValue);
    default:
      return withHostile(fc.jsonValue({ maxDepth: 2 }), hostileValue);
  }
}

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case "uuid":
      return fc.uuid();
    case "date-time":
      return fc
        .date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date("2030-01-01T00:00:00Z"),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case "date":
      return fc.constantFrom("2024-01-01", "2025-06-30");
    // Nothing Vigil could deliver to: loopback on the discard port, or not a URL.
    case "uri":
    case "url":
      return fc.constantFrom("http://127.0.0.1:9/hook", "not a url");
    case "email":
      return fc.constant("someone@example.invalid");
  }
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 16, 16));
  return fc.string({ minLength: min, maxLength: max });
}

function objectOf(doc: OpenApiDoc, s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props: Record<string, JsonSchema> = s.properties ?? {};
  const required = new Set<string>(s.required ?? []);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, p] of Object.entries(props)) {
    // A URL Vigil would call is never generated, whatever the schema says it is.
    shape[name] = /url$/i.test(name) ? stringOf({ format: "uri" }) : valuesFor(doc, p, depth + 1);
  }
  const known = fc.record(shape, {
    requiredKeys: [...required].filter((k) => k in shape),
  });
  if (s.additionalProperties && typeof s.additionalProperties === "object") {
    const extra = fc.dictionary(
      fc.string({ maxLength: 8 }),
      valuesFor(doc, s.additionalProperties, depth + 1),
      {
        maxKeys: 3,
      },
    );
    return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...(k as object) }));
  }
  return known;
}

/** JSON text of a generated value, with DEEP markers nested 10,000 deep (built without recursion). */
export function serialise(value: unknown): string {
  const deep = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
  const text = JSON.stringify(value, (_k, v) => (v === DEEP ? "\u0000DEEP\u0000" : v));
  return (text ?? "null").replaceAll('"\\u0000DEEP\\u0000"', deep);
}

/** Percent-encodes text for a URL, lone surrogates as the bytes their WTF-8 form would have. */
export function encode(text: string): string {
  let out = "";
  for (const ch of text) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    }
  }
  return out;
}

const paramText = (doc: OpenApiDoc, schema: JsonSchema): fc.Arbitrary<string> => {
  const s = deref(doc, schema);
  const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
  const numeric = types.includes("number") || types.includes("integer");
  return fc.oneof(
    { arbitrary: valuesFor(doc, s).map((v) => (typeof v === "string" ? v : serialise(v))), weight: 4 },
    { arbitrary: numeric ? fc.constantFrom(...HOSTILE_NUMBER_TEXT) : hostileString, weight: 1 },
    { arbitrary: hostileDate, weight: 1 },
  );
};

/** Whole bodies that are not what they claim: sent instead of a generated JSON body now and then. */
type RawBody = { body: string | Uint8Array; headers: Record<string, string> };
const BROKEN_BODIES: fc.Arbitrary<RawBody> = fc.constantFrom<RawBody>(
  { body: "{", headers: { "content-type": "application/json" } },
  { body: "", headers: { "content-type": "application/json" } },
  { body: "null", headers: { "content-type": "application/json" } },
  { body: `"\\u0000"`, headers: { "content-type": "application/json" } },
  { body: "[".repeat(DEPTH) + "]".repeat(DEPTH), headers: { "content-type": "application/json" } },
  {
    body: `{"a":${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}}`,
    headers: { "content-type": "application/json" },
  },
  { body: "not gzip at all", headers: { "content-type": "application/json", "content-encoding": "gzip" } },
  { body: "x", headers: { "content-type": "application/json", "content-encoding": "br" } },
  { body: "--x\r\n\r\n", headers: { "content-type": "multipart/form-data" } },
  { body: "--x\r\n", headers: { "content-type": "multipart/form-data; boundary=x" } },
  {
    body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]),
    headers: { "content-type": "application/x-protobuf" },
  },
  { body: "a,b\n1,2\n", headers: { "content-type": "text/csv" } },
  { body: "\u0000", headers: { "content-type": "text/plain" } },
);

/** Requests for one operation: path and query from its parameters, a body from its request schema. */
export function requestsFor(doc: OpenApiDoc, operation: Operation): fc.Arbitrary<FuzzRequest> {
  const params: JsonSchema[] = operation.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const path = fc.tuple(...pathParams.map((p) => paramText(doc, p.schema))).map((values) => {
    let out = operation.path;
    pathParams.forEach((p, i) => {
      out = out.replace(`{${p.name}}`, encode(values[i] as string));
    });
    return out;
  });
  const query = fc
    .tuple(...queryParams.map((p) => fc.option(paramText(doc, p.schema), { nil: undefined, freq: 2 })))
    .map((values) =>
      queryParams
        .flatMap((p, i) =>
          values[i] === undefined ? [] : [`${encode(p.name)}=${encode(values[i] as string)}`],
        )
        .join("&"),
    );
  const content: Record<string, JsonSchema> = operation.op.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  const body: fc.Arbitrary<{ body?: string | Uint8Array; headers: Record<string, string> }> = jsonSchema
    ? fc.oneof(
        {
          arbitrary: valuesFor(doc, jsonSchema).map((v) => ({
            body: serialise(v),
            headers: { "content-type": "application/json" },
          })),
          weight: 5,
        },
        { arbitrary: BROKEN_BODIES, weight: 1 },
      )
    : Object.keys(content).length
      ? fc.oneof(
          fc
            .constantFrom(...Object.keys(content))
            .chain((type) =>
              fc
                .oneof(hostileString, fc.string())
                .map((body) => ({ body, headers: { "content-type": type } })),
            ),
          BROKEN_BODIES,
        )
      : fc.constant({ headers: {} });
  return fc.tuple(path, query, body).map(([p, q, b]) => ({
    method: operation.method,
    path: q ? `${p}?${q}` : p,
    headers: b.headers,
    body: b.body,
  }));
}
