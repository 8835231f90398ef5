import { describe, expect, it } from "vitest";
import { fuse } from "../../src/rag/fusion.ts";

describe("reciprocal rank fusion", () => {
  const hit = (chunkId: number, documentId: string, score = 1) => ({ chunkId, documentId, score });

  it("scores Σ w/(k+rank) and records each leg's rank", () => {
    const out = fuse([hit(1, "a"), hit(2, "b")], [hit(2, "b"), hit(3, "c")], {
      k: 60,
      weights: { vector: 1, text: 1 },
      perDocument: true,
    });
    expect(out.map((f) => f.chunkId)).toEqual([2, 1, 3]);
    expect(out[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(out[0]!.legs).toEqual({ vector: { rank: 2, score: 1 }, text: { rank: 1, score: 1 } });
    expect(out[2]!.legs.vector).toBeNull();
  });

  it("collapses to one result per document by default", () => {
    const out = fuse([hit(1, "a"), hit(2, "a"), hit(3, "b")], [hit(2, "a"), hit(4, "b")], {
      weights: { vector: 1, text: 1 },
    });
    expect(out.map((f) => f.documentId)).toEqual(["a", "b"]);
    expect(out[0]!.chunkId).toBe(2);
    // b is 2nd by document in both legs.
    expect(out[1]!.score).toBeCloseTo(2 / 62, 12);
  });
});
