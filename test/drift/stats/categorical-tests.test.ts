/**
 * Categorical drift tests and the divergences against scipy/numpy fixtures. Tolerance 1e-9
 * relative (1e-6 below 1e-10).
 */
import { describe, expect, it } from "vitest";
import { binNumeric, binNumericSorted, proportions, valueCounts } from "../../../src/drift/stats/binning.ts";
import { contingencyTest, fisherExact, zTest } from "../../../src/drift/stats/contingency.ts";
import { hellinger, jensenShannonDistance, klDivergence, psi } from "../../../src/drift/stats/divergence.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";
import { expectClose, type FixtureCase, loadFixture, sample } from "./fixture-helpers.ts";

function counts(c: FixtureCase) {
  const a = sortedCopy(sample(c.reference));
  const b = sortedCopy(sample(c.current));
  return { ...valueCounts(a, b), n1: a.length, n2: b.length };
}

function suite(fixture: string, run: (c: FixtureCase) => { statistic: number; pValue: number }) {
  describe(`${fixture} vs ${loadFixture(fixture).note}`, () => {
    const fx = loadFixture(fixture);
    it("has at least 20 cases", () => expect(fx.cases.length).toBeGreaterThanOrEqual(20));
    for (const c of fx.cases) {
      it(c.name, () => {
        const r = run(c);
        expectClose(Number.isFinite(r.statistic) ? r.statistic : null, c.statistic, "statistic");
        expectClose(r.pValue, c.pValue, "pValue");
      });
    }
  });
}

suite("chisquare", (c) => {
  const t = counts(c);
  return contingencyTest(t.a, t.b, "pearson");
});
suite("gtest", (c) => {
  const t = counts(c);
  return contingencyTest(t.a, t.b, "log-likelihood");
});
suite("ztest", (c) => {
  const t = counts(c);
  return zTest(t.a[0]!, t.n1, t.b[0]!, t.n2);
});
suite("fisher", (c) => {
  const t = counts(c);
  return fisherExact(t.a[0]!, t.a[1] ?? 0, t.b[0]!, t.b[1] ?? 0);
});

describe("divergences (PSI, KL, JS, Hellinger) vs numpy binning + scipy", () => {
  const fx = loadFixture("divergence");
  it("has at least 20 numerical and 20 categorical cases", () => {
    expect(fx.cases.filter((c) => c.categorical).length).toBeGreaterThanOrEqual(20);
    expect(fx.cases.filter((c) => !c.categorical).length).toBeGreaterThanOrEqual(20);
  });
  for (const c of fx.cases) {
    it(`${c.categorical ? "categorical" : "numerical"} ${c.name}`, () => {
      const a = sortedCopy(sample(c.reference));
      const b = sortedCopy(sample(c.current));
      let r: Float64Array;
      let q: Float64Array;
      if (c.categorical) {
        const vc = valueCounts(a, b);
        r = proportions(vc.a, a.length);
        q = proportions(vc.b, b.length);
      } else {
        ({ reference: r, current: q } = binNumeric(a, b));
        // The engine's path (binary search per edge on the sorted samples) bins identically.
        const fast = binNumericSorted(a, b);
        expect(fast.reference).toEqual(r);
        expect(fast.current).toEqual(q);
      }
      expectClose(psi(r, q), c["psi"] as number, "psi");
      expectClose(klDivergence(r, q), c["kl_div"] as number, "kl_div");
      expectClose(jensenShannonDistance(r, q), c["jensenshannon"] as number, "jensenshannon");
      expectClose(hellinger(r, q), c["hellinger"] as number, "hellinger");
    });
  }
});
