import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { ksStatisticFloat, ksStatisticSorted, ksTestSorted } from "../../../src/drift/stats/ks.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";
import { expectClose, loadFixture, sample } from "./fixture-helpers.ts";

describe("deterministic generator matches the Python mirror bit for bit", () => {
  for (const c of loadFixture("generator").cases as unknown as {
    spec: never;
    values: number[];
    sum: number;
  }[]) {
    it(JSON.stringify(c.spec), () => {
      const v = generateSample(c.spec);
      expect(Array.from(v.slice(0, c.values.length))).toEqual(c.values);
      let s = 0;
      for (const x of v) s += x;
      expect(Math.abs(s - c.sum)).toBeLessThan(1e-9 * Math.max(1, Math.abs(c.sum)));
    });
  }
});

describe("ks_2samp(method='auto')", () => {
  const fx = loadFixture("ks");
  it("has at least 20 cases", () => expect(fx.cases.length).toBeGreaterThanOrEqual(20));
  for (const c of fx.cases) {
    it(c.name, () => {
      const r = ksTestSorted(sortedCopy(sample(c.reference)), sortedCopy(sample(c.current)));
      expectClose(r.statistic, c.statistic, "statistic");
      expectClose(r.pValue, c.pValue, "pValue");
    });
  }
});

describe("KS statistic walk", () => {
  /** scipy's definition, literally: cdf1 − cdf2 at every pooled value (searchsorted side="right"). */
  function scipyStatistic(a: Float64Array, b: Float64Array): number {
    const right = (s: Float64Array, v: number) => {
      let k = 0;
      while (k < s.length && s[k]! <= v) k++;
      return k;
    };
    let maxS = 0;
    let minS = 0;
    for (const v of [...a, ...b]) {
      const d = right(a, v) / a.length - right(b, v) / b.length;
      maxS = Math.max(maxS, d);
      minS = Math.min(minS, d);
    }
    return Math.max(Math.min(Math.max(-minS, 0), 1), maxS);
  }
  // Coarse grids give long runs of ties within and across the samples.
  const sampleArb = fc
    .array(
      fc.oneof(
        fc.integer({ min: -6, max: 6 }).map((i) => i / 3),
        fc.double({ min: -5, max: 5, noNaN: true }),
      ),
      {
        minLength: 1,
        maxLength: 80,
      },
    )
    .map((x) => sortedCopy(x));
  it("integer-tracked and float walks both equal scipy's definition bit for bit", () =>
    fc.assert(
      fc.property(sampleArb, sampleArb, (a, b) => {
        const want = scipyStatistic(a, b);
        expect(ksStatisticSorted(a, b)).toBe(want);
        expect(ksStatisticFloat(a, b)).toBe(want);
      }),
      { numRuns: 300 },
    ));
});
