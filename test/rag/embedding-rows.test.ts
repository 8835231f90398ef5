import { describe, expect, it } from "vitest";
import { embeddingCopyRows, vectorLiteral } from "../../src/rag/store.ts";

describe("vector literal and the COPY rows of a document's vectors", () => {
  it("writes 7 significant digits a component, zeros and negatives as numbers", () => {
    const v = Float32Array.from([0, 0.123456789, -1, 1e-9, 0.5]);
    expect(vectorLiteral(v)).toBe("[0,0.1234568,-1,1e-9,0.5]");
    expect(vectorLiteral([])).toBe("[]");
    const parsed = JSON.parse(vectorLiteral(Array.from(v))) as number[];
    for (const [i, x] of parsed.entries()) expect(x).toBeCloseTo(v[i]!, 6);
  });

  it("one line per chunk, in chunk order, tab-separated as COPY reads them", () => {
    const text = embeddingCopyRows(
      "builtin-hash-v1",
      "p-1",
      "runbook",
      [7, 9],
      [
        [0.5, 0],
        [-0.25, 1],
      ],
    );
    expect(text).toBe(
      "7\tbuiltin-hash-v1\tp-1\trunbook\t[0.5,0]\n9\tbuiltin-hash-v1\tp-1\trunbook\t[-0.25,1]\n",
    );
    expect(embeddingCopyRows("e", "p", "doc", [], [])).toBe("");
  });

  it("refuses a vector count that does not match the chunks", () => {
    expect(() => embeddingCopyRows("e", "p", "doc", [1, 2], [[1]])).toThrow(/1 vectors for 2 chunks/);
  });
});
