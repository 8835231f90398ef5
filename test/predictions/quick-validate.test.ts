import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EARLIEST_INSTANT, END_OF_INSTANTS } from "../../src/http/bounded.ts";
import { PredictionIn } from "../../src/predictions/model.ts";
import { validateRows } from "../../src/predictions/prepare.ts";
import { quickPrediction } from "../../src/predictions/quick-validate.ts";

/** Strings around the 1–200 bounds, with characters that count twice in UTF-16. */
const name = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom("", "a".repeat(200), "a".repeat(201), `${"a".repeat(199)}é`, `${"a".repeat(199)}😀`),
);
const number = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 60),
);
const featureValue = fc.oneof(
  number,
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(number, { maxLength: 4 }),
  fc.array(fc.oneof(number, fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), number, { maxKeys: 2 }),
);
const featureKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 5 }),
  name,
  fc.constantFrom("__proto__", "0", "12"),
);
const features = fc.oneof(
  fc.dictionary(featureKey, featureValue, { maxKeys: 6 }),
  fc.constantFrom([], "f", 1, null, [1, 2]),
);
const isoDate = fc
  .date({ min: new Date(1850, 0, 1), max: new Date(3050, 0, 1), noInvalidDate: true })
  .map((d) => d.toISOString());
const timestamp = fc.oneof(
  isoDate,
  isoDate.map((s) => s.replace("Z", "+02:00")),
  isoDate.map((s) => s.replace(".", ",")),
  isoDate.map((s) => s.slice(0, 19)),
  fc.constantFrom(
    "2024-02-30T00:00:00Z",
    "2024-02-29T10:00:00.5Z",
    "2023-02-29T10:00:00Z",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2999-12-31T23:59:59.999Z",
    "3000-01-01T00:00:00Z",
    "2024-06-01T24:00:00Z",
    "2024-06-01T10:00Z",
    "2024-06-01 10:00:00Z",
  ),
  fc.integer({ min: EARLIEST_INSTANT - 5, max: END_OF_INSTANTS + 5 }),
  fc.constantFrom(EARLIEST_INSTANT, END_OF_INSTANTS - 1, END_OF_INSTANTS, EARLIEST_INSTANT - 1, 1.5e12 + 0.5),
  fc.constant(null),
);
const output = fc.oneof(
  number,
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(number, { maxLength: 3 }),
  fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), fc.constant("__proto__")), fc.jsonValue(), {
    maxKeys: 3,
  }),
);
const requestId = fc.oneof(name, fc.integer(), fc.double(), fc.constantFrom(2 ** 60, true, null));

/** Mostly a valid value, else any of `all` (valid or not). */
const mostly = <T, U>(valid: fc.Arbitrary<T>, all: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: all });
/** Present or not; when present, mostly valid. */
const field = <T, U>(valid: fc.Arbitrary<T>, all: fc.Arbitrary<U>, absent = 4) =>
  fc.option(mostly(valid, all), { freq: absent, nil: undefined });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

/** A row: each field absent, valid, or not; now and then a key zod does not know. */
const row = fc
  .record({
    model: field(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(name, fc.constantFrom(1, null)), 20),
    modelVersion: field(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(name, fc.constant(3))),
    timestamp: field(fc.integer({ min: EARLIEST_INSTANT, max: END_OF_INSTANTS - 1 }), timestamp),
    requestId: field(fc.string({ minLength: 1, maxLength: 8 }), requestId),
    features: field(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), finite, { maxKeys: 4 }),
      features,
      20,
    ),
    output: field(finite, output),
    label: fc.option(fc.jsonValue(), { nil: undefined }),
    extra: fc.oneof(
      { weight: 7, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.jsonValue() },
    ),
  })
  .map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
    return out;
  });

/** Rows as the prepare threads get them: out of JSON.parse (so `__proto__` is an own key). */
const parsedRow = row.map((r) => {
  const text = JSON.stringify(r, (_k, v) => (v === Number.POSITIVE_INFINITY ? "∞" : v)).replace(
    /"∞"/g,
    "1e999",
  );
  return JSON.parse(text) as unknown;
});

/** Rows that are valid, in the shape clients send, out of JSON.parse (the quick path must take them). */
const validRow = fc
  .record(
    {
      model: fc.string({ minLength: 1, maxLength: 200 }),
      modelVersion: fc.string({ minLength: 1, maxLength: 200 }),
      timestamp: fc.oneof(
        fc.integer({ min: EARLIEST_INSTANT, max: END_OF_INSTANTS - 1 }),
        fc
          .date({ min: new Date(EARLIEST_INSTANT), max: new Date(END_OF_INSTANTS - 1), noInvalidDate: true })
          .map((d) => d.toISOString()),
      ),
      requestId: fc.string({ minLength: 1, maxLength: 200 }),
      features: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== "__proto__"),
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.string(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })),
        ),
      ),
      output: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        fc.constant(null),
        fc.dictionary(
          fc.string().filter((k) => k !== "__proto__"),
          fc.jsonValue(),
        ),
      ),
      label: fc.jsonValue(),
    },
    { requiredKeys: ["model", "features"] },
  )
  .map((r) => JSON.parse(JSON.stringify(r)) as unknown);

/**
 * The same row as stored: equal values, and the same JSON of what is stored as JSON (features,
 * output, label: their key order included; the row's own key order is not stored). Not
 * toStrictEqual, which compares `constructor`, and a feature may be called that.
 */
function same(a: unknown, b: unknown) {
  expect(a).toEqual(b);
  const stored = (row: unknown) => {
    const r = row as Record<string, unknown>;
    return JSON.stringify([r.features, r.output, r.label]);
  };
  expect(stored(a)).toBe(stored(b));
}

/** The quick path takes only what zod takes, and returns what zod returns. */
let taken = 0;
function agrees(value: unknown) {
  const quick = quickPrediction(value);
  if (quick === undefined) return;
  taken++;
  const parsed = PredictionIn.safeParse(value);
  expect(parsed.success).toBe(true);
  same(quick, parsed.data);
}

describe("quickPrediction", () => {
  it("accepts only rows zod accepts, as zod returns them (generated rows, valid and not)", () => {
    taken = 0;
    fc.assert(fc.property(row, agrees), { numRuns: 3000 });
    fc.assert(fc.property(parsedRow, agrees), { numRuns: 3000 });
    // Not vacuous: some generated rows are valid and taken.
    expect(taken).toBeGreaterThan(500);
  });

  it("takes every valid row in the usual shape, and zod agrees", () => {
    fc.assert(
      fc.property(validRow, (value) => {
        expect(quickPrediction(value)).toBe(value);
        const parsed = PredictionIn.safeParse(value);
        expect(parsed.success).toBe(true);
        same(parsed.data, value);
      }),
      { numRuns: 2000 },
    );
  });

  it("takes a valid row whatever the order of its keys", () => {
    const reordered = validRow.chain((value) => {
      const entries = Object.entries(value as Record<string, unknown>);
      return fc
        .shuffledSubarray(entries, { minLength: entries.length })
        .map((shuffled) => JSON.parse(JSON.stringify(Object.fromEntries(shuffled))) as unknown);
    });
    fc.assert(
      fc.property(reordered, (row) => {
        expect(quickPrediction(row)).toBe(row);
        agrees(row);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves to zod what it would change or refuse", () => {
    const base = { model: "m", features: { a: 1 } };
    expect(quickPrediction(base)).toBe(base);
    for (const other of [
      { ...base, requestId: 7 }, // valid, but zod makes it "7"
      { ...base, extra: 1 }, // valid, but zod drops the key
      JSON.parse('{"model":"m","features":{"__proto__":1}}'), // zod drops the feature
      { ...base, features: { a: Number.POSITIVE_INFINITY } },
      { ...base, timestamp: "2024-01-01T00:00:00" }, // no offset
      { ...base, timestamp: END_OF_INSTANTS },
      { ...base, model: "" },
      { features: { a: 1 } },
      Object.assign(Object.create(null), base),
    ])
      expect(quickPrediction(other)).toBeUndefined();
  });

  it("validateRows answers as zod alone would: rows and the same errors", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(parsedRow, validRow), { maxLength: 20 }), (values) => {
        const { rows, errors } = validateRows(values, 5, 50);
        const expected = values.map((v) => PredictionIn.safeParse(v));
        const valid = expected.filter((p) => p.success).map((p) => p.data);
        expect(rows.length).toBe(valid.length);
        for (const [i, r] of rows.entries()) same(r, valid[i]);
        expect(errors.map((e) => e.row)).toEqual(expected.flatMap((p, i) => (p.success ? [] : [i + 5])));
        for (const e of errors) {
          const p = expected[e.row - 5]!;
          expect(e.issues).toEqual(
            p.error!.issues.map((x) => ({ path: x.path.join("."), message: x.message })),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});
