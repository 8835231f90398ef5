import { describe, expect, it } from "vitest";
import { featureKind } from "../../../src/drift/monitors/feature-drift.ts";

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
