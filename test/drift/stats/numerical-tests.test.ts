/**
 * Numerical drift tests against scipy fixtures (scripts/drift-fixtures.py).
 * Tolerance: 1e-9 relative (1e-6 below p = 1e-10). CvM's asymptotic p-value is 1 − cdf in scipy, so
 * near p ≈ 0 it is compared with an absolute floor of 1e-14 (rounding noise of that subtraction).
 */
import { describe, expect, it } from "vitest";
import { andersonKSampleSorted } from "../../../src/drift/stats/anderson.ts";
import { energyDistanceSorted, wassersteinNormedSorted } from "../../../src/drift/stats/cdf-distance.ts";
import { cramerVonMisesSorted } from "../../../src/drift/stats/cvm.ts";
import { mannWhitneySorted } from "../../../src/drift/stats/mannwhitney.ts";
import { mmdTest } from "../../../src/drift/stats/mmd.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";
import { welchTTest } from "../../../src/drift/stats/ttest.ts";
import { expectClose, type FixtureCase, loadFixture, sample } from "./fixture-helpers.ts";

type Run = (
  a: Float64Array,
  b: Float64Array,
  c: FixtureCase,
) => { statistic: number | null; pValue?: number };

interface SuiteOptions {
  pAbsFloor?: number;
  statAbsFloor?: number;
  /** Pass samples in generated order (MMD's seeded subsample/permutations depend on order). */
  unsorted?: boolean;
}

function suite(fixture: string, run: Run, opts: SuiteOptions = {}) {
  const minCases = 20;
  describe(`${fixture} vs ${loadFixture(fixture).note}`, () => {
    const fx = loadFixture(fixture);
    it(`has at least ${minCases} cases`, () => expect(fx.cases.length).toBeGreaterThanOrEqual(minCases));
    for (const c of fx.cases) {
      it(c.name, () => {
        const prep = opts.unsorted ? (x: Float64Array) => x : sortedCopy;
        const r = run(prep(sample(c.reference)), prep(sample(c.current)), c);
        expectClose(r.statistic, c.statistic, "statistic", opts.statAbsFloor ?? 0);
        if (c.pValue !== undefined && c.pValue !== null) {
          expectClose(r.pValue ?? null, c.pValue, "pValue", opts.pAbsFloor ?? 0);
        }
      });
    }
  });
}

suite("wasserstein", (a, b) => ({ statistic: wassersteinNormedSorted(a, b) }));
suite("energy", (a, b) => ({ statistic: energyDistanceSorted(a, b) }));
suite("anderson", (a, b) => andersonKSampleSorted(a, b));
suite("cvm", (a, b) => cramerVonMisesSorted(a, b), { pAbsFloor: 1e-14 });
suite("mannwhitney", (a, b) => mannWhitneySorted(a, b));
suite("ttest", (a, b) => welchTTest(a, b));
// MMD: no scipy equivalent; a numpy mirror with the same generator. The statistic of identical
// samples is 0 up to summation-order rounding, and MMD² = Kxx + Kyy − 2Kxy cancels, so the
// statistic gets an absolute floor of 1e-11 (sums of 10⁶ kernel values in different orders).
suite("mmd", (a, b) => mmdTest(a, b), { unsorted: true, statAbsFloor: 1e-11 });
