/**
 * The byte-level CSV reader types every cell as Number()/csvCell on the cell's text would: the
 * reading of digits without a string must not change a single bit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvReader, csvCell } from "../../../src/drift/compare/csv.ts";
import { decimalToDouble } from "../../../src/drift/compare/decimal.ts";

/** Column `v` of a two-column CSV holding `cells` (the second column keeps blank-looking rows rows). */
function readColumn(cells: string[], chunk: number): unknown[] {
  const bytes = Buffer.from(`v,w\n${cells.map((c) => `${c},x`).join("\n")}\n`);
  const reader = new CsvReader();
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  return Array.from(reader.end()["v"] as ArrayLike<unknown>);
}

/** What the reader must give: csvCell on each cell's text, with missing cells NaN in a numeric column. */
function expected(cells: string[]): unknown[] {
  const values = cells.map((c) => csvCell(c));
  const numeric = values.every((v) => typeof v === "number" || v === null);
  return numeric ? values.map((v) => v ?? Number.NaN) : values;
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** Decimal numbers as CSV writers print them, and the odd shapes around them. */
const numberish = fc.oneof(
  fc.double({ noNaN: true }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String),
  fc
    .tuple(
      fc.constantFrom("", "-", "+"),
      digits(0, 20),
      fc.constantFrom("", "."),
      digits(0, 20),
      fc.constantFrom("", "e", "E-", "e+", "e-"),
      digits(0, 3),
    )
    .map(([s, i, dot, f, e, x]) => `${s}${i}${dot}${f}${e}${e ? x : ""}`),
  fc.constantFrom("", "NA", " 1", "1 ", "0x1F", "-0", "1e999", "1e", ".", "-", "Infinity", "1.2.3", "007"),
  // Integers and halves where doubles are 1 or 2 apart: ties to even.
  fc.bigInt({ min: 2n ** 52n, max: 2n ** 60n }).map(String),
  fc.bigInt({ min: 2n ** 52n, max: 2n ** 53n }).map((m) => `${m}.5`),
);

describe("CsvReader typing is csvCell's, bit for bit", () => {
  it("numbers, near-numbers and tokens, any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(numberish, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (cells, chunk) => {
          const got = readColumn(cells, chunk);
          const want = expected(cells);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < got.length; i++)
            expect(Object.is(got[i], want[i]), `${cells[i]}: ${got[i]} vs ${want[i]}`).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a numeric column stays a Float64Array; a string turns it into values", () => {
    const bytes = Buffer.from("a,b\n1.5,x\n,2\nNA,3\n");
    const r = new CsvReader();
    r.push(bytes);
    const d = r.end();
    expect(d["a"]).toBeInstanceOf(Float64Array);
    expect(Array.from(d["a"] as Float64Array)).toEqual([1.5, Number.NaN, Number.NaN]);
    expect(d["b"]).toEqual(["x", 2, 3]);
  });

  it("UTF-8 split anywhere between chunks, quoted or not", () => {
    const csv = 'name,n\n"é, ü",1\n日本,2\n"say ""日""",3\n';
    const bytes = Buffer.from(csv);
    for (let chunk = 1; chunk <= 8; chunk++) {
      const r = new CsvReader();
      for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
      expect(r.end()["name"]).toEqual(["é, ü", "日本", 'say "日"']);
    }
  });
});

describe("decimalToDouble", () => {
  /** decimalToDouble's arguments from a significand's digits (no leading zero), split after `head` digits. */
  const call = (sig: string, q: number, head = 9) =>
    decimalToDouble(
      Number(sig.slice(0, head)),
      sig.length > head ? Number(sig.slice(head)) : 0,
      Math.max(0, sig.length - head),
      q,
    );

  it("is Number() or NaN (undecided), never another double", () => {
    // Mostly 16 to 18 digits: the significands past 2^53 that need the correction step.
    const significand = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.oneof(digits(0, 17), digits(15, 17), digits(15, 17)))
      .map(([first, rest]) => `${first}${rest}`);
    fc.assert(
      fc.property(significand, fc.integer({ min: -30, max: 30 }), fc.constantFrom(8, 9), (sig, q, head) => {
        const v = call(sig, q, head);
        if (!Number.isNaN(v)) expect(v).toBe(Number(`${sig}e${q}`));
      }),
      { numRuns: 50_000 },
    );
  });

  it("decides shortest round-trip output (up to 17 digits) without Number()", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), (x) => {
        const [int, frac = ""] = String(x).split(".");
        const sig = `${int}${frac}`.replace(/^0+/, "");
        fc.pre(!sig.includes("e") && sig.length <= 18);
        expect(call(sig, -frac.length)).toBe(x);
      }),
      { numRuns: 20_000 },
    );
  });

  it("exact ties round to even (or are left to Number())", () => {
    // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2; 2^52 + 0.5 between 2^52 and 2^52 + 1.
    for (const [sig, q] of [
      ["9007199254740993", 0],
      ["9007199254740995", 0],
      ["45035996273704965", -1],
      ["45035996273704975", -1],
    ] as const) {
      const v = call(sig, q);
      if (!Number.isNaN(v)) expect(v).toBe(Number(`${sig}e${q}`));
    }
  });
});
