import { describe, expect, it } from "vitest";
import { parseJsonValues, StreamParseError } from "../../src/predictions/parse-stream.ts";

const enc = new TextEncoder();
/** Splits text into chunks of `size` bytes, the way a socket might. */
async function* chunks(text: string, size: number) {
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}
const collect = async (text: string, size = 7, batch = 3) => {
  const out: unknown[][] = [];
  for await (const b of parseJsonValues(chunks(text, size), batch)) out.push(b);
  return out;
};

describe("parseJsonValues", () => {
  const values = Array.from({ length: 10 }, (_, i) => ({ i, s: `é${i}`, v: [i, i / 2] }));
  it("a JSON array, split anywhere (even inside a multi-byte character), in batches", async () => {
    for (const size of [1, 3, 7, 1000]) {
      const batches = await collect(`  ${JSON.stringify(values)}`, size);
      expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
      expect(batches.flat()).toEqual(values);
    }
  });
  it("NDJSON with blank lines and CRLF", async () => {
    const text = `${values.map((v) => JSON.stringify(v)).join("\r\n\n")}\n`;
    expect((await collect(text)).flat()).toEqual(values);
  });
  it("empty body and empty array give nothing", async () => {
    expect(await collect("")).toEqual([]);
    expect(await collect(" [ ] ")).toEqual([]);
  });
  it("truncated or invalid input throws with the count parsed so far", async () => {
    await expect(collect('[{"a":1},{"a":')).rejects.toBeInstanceOf(StreamParseError);
    await expect(collect('{"a":1}\n{"a" 2}')).rejects.toMatchObject({ index: 1 });
  });
});
