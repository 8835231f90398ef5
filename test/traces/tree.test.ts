import { describe, expect, it } from "vitest";
import { spanTree } from "../../src/traces/tree.ts";

describe("span tree", () => {
  it("depth-first, siblings by start, orphans and cycles become roots", () => {
    const s = (spanId: string, parentSpanId: string | null, startNs: bigint) => ({
      spanId,
      parentSpanId,
      startNs,
    });
    const { roots, ordered } = spanTree([
      s("c2", "r", 30n),
      s("r", null, 0n),
      s("c1", "r", 10n),
      s("g", "c1", 20n),
      s("orphan", "missing", 5n),
      s("x", "y", 1n),
      s("y", "x", 2n),
    ]);
    expect(roots).toEqual(["r", "orphan"]);
    expect(ordered.map((o) => `${o.spanId}:${o.depth}`)).toEqual([
      "r:0",
      "c1:1",
      "g:2",
      "c2:1",
      "orphan:0",
      "x:0",
      "y:0",
    ]);
    expect(ordered[0]!.children).toEqual(["c1", "c2"]);
  });
});
