import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binNumeric, binNumericSorted } from "../../../src/drift/stats/binning.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";

/**
 * binNumeric bins most values by their scaled position alone and sends values within a rounding
 * bound of an edge to numpy's edge comparisons; binNumericSorted counts by binary search on the
 * edges themselves. Values exactly on, and one or a few ulps either side of, every edge — also
 * far from zero relative to the range, where the edges are coarsest — must land in the same bins.
 */
const ulpStep = (x: number, k: number): number => {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  // k ulps away from zero for k > 0, towards zero for k < 0 (x ≠ 0 here).
  bits[0] = bits[0]! + BigInt(k);
  return f[0]!;
};

function edgesOf(a: Float64Array, b: Float64Array, bins: number): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of [...a, ...b]) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const step = (max - min) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : i * step + min));
}

function onAndAroundEdges(a: Float64Array, b: Float64Array, bins: number, ks: number[]): Float64Array {
  const [min, max] = [Math.min(...a, ...b), Math.max(...a, ...b)];
  const out: number[] = [];
  for (const e of edgesOf(a, b, bins))
    for (const k of ks) {
      const v = e === 0 ? k * 5e-324 : ulpStep(e, k);
      if (v >= min && v <= max) out.push(v);
    }
  return Float64Array.from(out);
}

describe("binNumeric (unsorted) agrees with edge-by-edge binning", () => {
  it("for values on and a few ulps around every edge, any offset and scale", () =>
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, -3.5, 1e6, -1e9, 1e12, 1e-300),
        fc.constantFrom(1, 1e-6, 1e-9, 1e3, 7),
        fc.constantFrom(30, 7, 100),
        fc.integer({ min: 1, max: 1000 }),
        (offset, scale, bins, seed) => {
          const a = generateSample({ dist: "normal", n: 300, seed }).map((v) => offset + v * scale);
          const b = generateSample({ dist: "normal", n: 200, seed: seed + 1 }).map(
            (v) => offset + v * scale * 1.3,
          );
          const edgy = onAndAroundEdges(a, b, bins, [-3, -1, 0, 1, 2]);
          const ref = Float64Array.from([...a, ...edgy]);
          const cur = Float64Array.from([...edgy, ...b]);
          const unsorted = binNumeric(ref, cur, bins);
          // An offset beyond the scale's precision leaves ≤ 20 distinct values: one bin per value instead.
          fc.pre(unsorted.kind === "histogram");
          expect(unsorted).toEqual(binNumericSorted(sortedCopy(ref), sortedCopy(cur), bins));
        },
      ),
      { numRuns: 80 },
    ));
});
