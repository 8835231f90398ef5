import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";

/** Bitwise equality with Float64Array#sort (so −0 before +0 and equal bit patterns everywhere). */
function expectSortedLikeBuiltin(input: ArrayLike<number>): void {
  const before = Float64Array.from(input);
  const got = sortedCopy(input);
  const want = Float64Array.from(input).sort();
  expect(got).not.toBe(input);
  const g = new BigUint64Array(got.buffer, got.byteOffset, got.length);
  const w = new BigUint64Array(want.buffer);
  const firstDifference = g.findIndex((bits, i) => bits !== w[i]);
  expect(firstDifference, `first differing index of ${got.length}`).toBe(-1);
  expect(Float64Array.from(input).every((v, i) => Object.is(v, before[i]))).toBe(true); // input left alone
}

const special = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  5e-324,
  -5e-324,
  2.2e-308,
  -2.2e-308,
  1e308,
  -1e308,
  Infinity,
  -Infinity,
);
const anyDouble = fc.oneof(fc.double({ noNaN: true }), special, fc.integer({ min: -3, max: 3 }));

describe("sortedCopy (radix path, ≥ 512 values)", () => {
  it("orders any doubles exactly as Float64Array#sort", () =>
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 512, maxLength: 2000 }), (a) => {
        expectSortedLikeBuiltin(a);
        expectSortedLikeBuiltin(Float64Array.from(a));
      }),
      { numRuns: 60 },
    ));
  it("handles one sign only, one value, narrow bands and integer codes (skipped passes)", () => {
    const n = 5000;
    const normal = generateSample({ dist: "normal", n, seed: 7 });
    expectSortedLikeBuiltin(normal);
    expectSortedLikeBuiltin(normal.map((v) => -100 + v)); // all negative, top digit shared
    expectSortedLikeBuiltin(normal.map((v) => 100 + v)); // all positive, top digit shared
    expectSortedLikeBuiltin(normal.map((v) => -1 - Math.abs(v) * 1e-9)); // negative, narrow band
    expectSortedLikeBuiltin(new Float64Array(n).fill(-2.5)); // every pass skipped
    expectSortedLikeBuiltin(generateSample({ dist: "int", n, seed: 8, scale: 6 }).map((v) => v - 3));
  });
  it("reads a Float64Array view at an offset of a larger buffer", () => {
    const big = generateSample({ dist: "normal", n: 3000, seed: 9 });
    expectSortedLikeBuiltin(big.subarray(1000, 2600));
  });
});
