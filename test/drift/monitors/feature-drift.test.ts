import { describe, expect, it } from "vitest";
import { featureKind, testCategorical, testNumerical } from "../../../src/drift/monitors/feature-drift.ts";

describe("featureKind", () => {
  it("follows Evidently's typing", () => {
    expect(featureKind([1.5, 2, 3])).toBe("numerical");
    expect(featureKind([1, 2, 3, 1, null])).toBe("categorical"); // ≤ 10 integer values
    expect(featureKind(Array.from({ length: 20 }, (_, i) => i))).toBe("numerical");
    expect(featureKind(["a", "b"])).toBe("categorical");
    expect(featureKind([true, false])).toBe("categorical");
    expect(featureKind([[1, 2], null])).toBe("vector");
    expect(featureKind([1, 2, 3], "numerical")).toBe("numerical");
  });
});

describe("a feature's distribution beside its test", () => {
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

  it("numerical: binned from the values the test saw, missing ones counted apart", () => {
    const ref = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? null : i / 3));
    const cur = Array.from({ length: 40 }, (_, i) => (i === 0 ? Number.NaN : 10 + i / 4));
    const r = testNumerical("age", ref, cur, {}, false);
    expect(r.test).toBeDefined();
    expect(r.distribution?.kind).toBe("histogram");
    expect(sum(r.distribution!.reference)).toBe(r.referenceSize);
    expect(sum(r.distribution!.current)).toBe(r.currentSize);
    expect(r.distribution!.missing).toEqual(r.missing);
  });

  it("a feature gone from the current window: the error, and the reference's picture still", () => {
    const r = testNumerical("age", [1.5, 2.5, 3.5], [null, null], {}, false);
    expect(r.error?.code).toBe("empty_column");
    expect(r.drifted).toBe(true);
    expect(r.distribution).toMatchObject({ kind: "histogram", missing: { reference: 0, current: 2 } });
    expect(sum(r.distribution!.reference)).toBe(3);
    expect(sum(r.distribution!.current)).toBe(0);
  });

  it("categorical: from the counts, null and '' as missing", () => {
    const ref = new Map<string | null, number>([
      ["a", 30],
      ["b", 10],
      [null, 4],
      ["", 1],
    ]);
    const cur = new Map<string | null, number>([
      ["a", 5],
      ["c", 15],
    ]);
    const r = testCategorical("plan", ref, cur, {});
    expect(r.distribution).toMatchObject({
      kind: "categories",
      labels: ["a", "c", "b"],
      reference: [30, 0, 10],
      current: [5, 15, 0],
      other: { reference: 0, current: 0, categories: 0 },
      missing: { reference: 5, current: 0 },
    });
  });
});
