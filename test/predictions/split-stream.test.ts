import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StreamParseError } from "../../src/predictions/parse-stream.ts";
import { splitJsonValues } from "../../src/predictions/split-stream.ts";

const enc = new TextEncoder();
/** Splits text into chunks of `size` bytes, the way a socket might (even inside a character). */
async function* chunks(text: string, size: number) {
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}
const split = async (text: string, size = 7, piece = 3) => {
  const out: { first: number; values: unknown[] }[] = [];
  for await (const p of splitJsonValues(chunks(text, size), piece))
    out.push({ first: p.first, values: p.texts.map((t) => JSON.parse(t)) });
  return out;
};

describe("splitJsonValues", () => {
  const values = Array.from({ length: 10 }, (_, i) => ({
    i,
    s: `é${i} "q" \\ ] } , [ {`,
    v: [i, i / 2, [{}]],
    n: null,
  }));
  it("a JSON array, split anywhere, in pieces that know where they start", async () => {
    for (const size of [1, 3, 7, 1000]) {
      const pieces = await split(`  ${JSON.stringify(values, null, size === 3 ? 2 : undefined)} `, size);
      expect(pieces.map((p) => p.first)).toEqual([0, 3, 6, 9]);
      expect(pieces.flatMap((p) => p.values)).toEqual(values);
    }
  });
  it("NDJSON with blank lines and CRLF, values spanning lines, scalars", async () => {
    const text = `${values.map((v) => JSON.stringify(v)).join("\r\n\n")}\n${JSON.stringify(values[0], null, 2)}\n1 "x"\ntrue`;
    expect((await split(text)).flatMap((p) => p.values)).toEqual([...values, values[0], 1, "x", true]);
  });
  it("strings full of escapes (quotes, backslashes) across chunk boundaries", async () => {
    const vals = [{ s: '\\"'.repeat(3000), t: "a\\" }, { s: `${"x".repeat(500)}\\`, u: ['"', "\\"] }, '\\"'];
    for (const size of [1, 5, 64, 1000]) {
      const text = `${vals.map((v) => JSON.stringify(v)).join("\n")}\n`;
      expect(
        (await split(text, size, 2)).flatMap((p) => p.values),
        String(size),
      ).toEqual(vals);
      expect((await split(JSON.stringify(vals), size, 2)).flatMap((p) => p.values)).toEqual(vals);
    }
  });
  it("empty body and empty array give nothing", async () => {
    expect(await split("")).toEqual([]);
    expect(await split(" [ ] ")).toEqual([]);
    expect(await split("\n\n")).toEqual([]);
  });
  it("broken structure throws with the count of values before it", async () => {
    const cases: [string, number][] = [
      ['[{"a":1},{"a":', 1],
      ['[{"a":1}', 1],
      ['[{"a":1},,{"a":2}]', 1],
      ['[,{"a":1}]', 0],
      ['[{"a":1},]', 1],
      ['[{"a":1} {"a":2}]', 1],
      ['[{"a":1}] x', 1],
      ['{"a":1}\n{"a" 2', 1],
      ['{"a":1}\n}', 1],
    ];
    for (const [text, index] of cases) {
      const error = await split(text).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(StreamParseError);
      expect((error as StreamParseError).index, text).toBe(index);
    }
  });
  it("any JSON values come out as they went in, as an array or NDJSON, however chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (vals, size, array) => {
          // A body whose first value is an array is read as one JSON array (documented).
          fc.pre(array || !Array.isArray(vals[0]));
          const text = array ? JSON.stringify(vals) : vals.map((v) => JSON.stringify(v)).join("\n");
          const out = (await split(text, size, 4)).flatMap((p) => p.values);
          // JSON.stringify turns -0 into 0: compare through it.
          expect(JSON.stringify(out)).toBe(JSON.stringify(vals));
        },
      ),
      { numRuns: 300 },
    );
  });
});
