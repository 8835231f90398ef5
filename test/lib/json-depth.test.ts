import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonDepthExceeds } from "../../src/lib/json-depth.ts";

/** The depth by the definition (recursive; fine for the small values fast-check makes). */
const depthOf = (v: unknown): number =>
  v === null || typeof v !== "object"
    ? 0
    : 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf));

describe("jsonDepthExceeds", () => {
  it("agrees with the recursive definition on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
        expect(jsonDepthExceeds(value, max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it("answers for 10,000 levels of arrays and objects", () => {
    let array: unknown = [];
    let object: unknown = {};
    for (let i = 1; i < 10_000; i++) {
      array = [array];
      object = { a: object };
    }
    expect(jsonDepthExceeds(array, 64)).toBe(true);
    expect(jsonDepthExceeds(object, 64)).toBe(true);
    expect(jsonDepthExceeds(array, 10_000)).toBe(false);
    expect(jsonDepthExceeds({ a: [1, { b: "c" }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [1, { b: "c" }] }, 2)).toBe(true);
  });
});
