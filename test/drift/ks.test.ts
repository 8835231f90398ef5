import { describe, expect, it } from "vitest";
import { generateSample } from "../../src/drift/stats/generate.ts";
import { ksTestSorted } from "../../src/drift/stats/ks.ts";
import { sortedCopy } from "../../src/drift/stats/numeric.ts";
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
