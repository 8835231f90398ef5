/** Property tests: symmetry where the test is symmetric, zero on identical samples, p in [0, 1]. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { andersonKSampleSorted } from "../../../src/drift/stats/anderson.ts";
import { binNumeric, binNumericSorted } from "../../../src/drift/stats/binning.ts";
import { energyDistanceSorted, wassersteinSorted } from "../../../src/drift/stats/cdf-distance.ts";
import { contingencyTest, fisherExact, zTest } from "../../../src/drift/stats/contingency.ts";
import { cramerVonMisesSorted } from "../../../src/drift/stats/cvm.ts";
import { hellinger, jensenShannonDistance, klDivergence, psi } from "../../../src/drift/stats/divergence.ts";
import { ksTestSorted } from "../../../src/drift/stats/ks.ts";
import { mannWhitneySorted } from "../../../src/drift/stats/mannwhitney.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";
import { welchTTest } from "../../../src/drift/stats/ttest.ts";

// Values on a coarse grid so ties occur often.
const value = fc.oneof(
  fc.integer({ min: -50, max: 50 }).map((i) => i / 4),
  fc.double({ min: -1e3, max: 1e3, noNaN: true }),
);
const sampleArb = (min: number) =>
  fc.array(value, { minLength: min, maxLength: 60 }).map((a) => sortedCopy(a));
const pair = (min = 1) => fc.tuple(sampleArb(min), sampleArb(min));
const inUnit = (p: number) => p >= 0 && p <= 1;
// Equal infinities are close too (e.g. Welch t when both variances underflow to 0).
const close = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

describe("symmetric statistics are symmetric", () => {
  it("KS statistic and p-value", () =>
    fc.assert(
      fc.property(pair(), ([a, b]) => {
        const x = ksTestSorted(a, b);
        const y = ksTestSorted(b, a);
        return close(x.statistic, y.statistic) && close(x.pValue, y.pValue);
      }),
    ));
  it("Wasserstein and energy distance", () =>
    fc.assert(
      fc.property(
        pair(),
        ([a, b]) =>
          close(wassersteinSorted(a, b), wassersteinSorted(b, a)) &&
          close(energyDistanceSorted(a, b), energyDistanceSorted(b, a)),
      ),
    ));
  it("Cramér–von Mises, Anderson–Darling, Mann–Whitney p, Welch |t|", () =>
    fc.assert(
      fc.property(pair(2), ([a, b]) => {
        const c1 = cramerVonMisesSorted(a, b);
        const c2 = cramerVonMisesSorted(b, a);
        const m1 = mannWhitneySorted(a, b);
        const m2 = mannWhitneySorted(b, a);
        let ok =
          close(c1.statistic, c2.statistic) && close(c1.pValue, c2.pValue) && close(m1.pValue, m2.pValue);
        ok &&= close(m1.statistic + m2.statistic, a.length * b.length);
        const distinct = new Set([...a, ...b]).size;
        if (distinct >= 2)
          ok &&= close(andersonKSampleSorted(a, b).statistic, andersonKSampleSorted(b, a).statistic);
        const t1 = welchTTest(a, b);
        const t2 = welchTTest(b, a);
        return (
          ok &&
          (Number.isNaN(t1.statistic) || close(t1.statistic, -t2.statistic)) &&
          close(t1.pValue, t2.pValue)
        );
      }),
    ));
  it("binning sorted samples by binary search equals binning them value by value", () =>
    fc.assert(
      fc.property(pair(), ([a, b]) => {
        const slow = binNumeric(a, b);
        const fast = binNumericSorted(sortedCopy(a), sortedCopy(b));
        expect(fast).toEqual(slow);
        return true;
      }),
    ));
  it("Jensen–Shannon and Hellinger on binned data; PSI is symmetric too", () =>
    fc.assert(
      fc.property(pair(), ([a, b]) => {
        const x = binNumeric(a, b);
        const y = binNumeric(b, a);
        // Bins depend only on the pooled data (and on the reference's distinct count), so compare when both pick the same scheme.
        if (x.kind !== y.kind) return true;
        return (
          close(
            jensenShannonDistance(x.reference, x.current),
            jensenShannonDistance(y.current, y.reference),
          ) &&
          close(hellinger(x.reference, x.current), hellinger(y.current, y.reference)) &&
          close(psi(x.reference, x.current), psi(y.current, y.reference))
        );
      }),
    ));
  it("contingency tests and Fisher are symmetric in the samples", () =>
    fc.assert(
      fc.property(
        fc.array(fc.nat(40), { minLength: 2, maxLength: 6 }),
        fc.array(fc.nat(40), { minLength: 2, maxLength: 6 }),
        (r0, c0) => {
          const k = Math.min(r0.length, c0.length);
          const r = r0.slice(0, k).map((v) => v + 1);
          const c = c0.slice(0, k).map((v) => v + 1);
          const ok =
            close(contingencyTest(r, c, "pearson").pValue, contingencyTest(c, r, "pearson").pValue) &&
            close(
              contingencyTest(r, c, "log-likelihood").statistic,
              contingencyTest(c, r, "log-likelihood").statistic,
            );
          const f1 = fisherExact(r[0]!, r[1]!, c[0]!, c[1]!);
          const f2 = fisherExact(c[0]!, c[1]!, r[0]!, r[1]!);
          const z1 = zTest(r[0]!, r[0]! + r[1]!, c[0]!, c[0]! + c[1]!);
          const z2 = zTest(c[0]!, c[0]! + c[1]!, r[0]!, r[0]! + r[1]!);
          return ok && Math.abs(f1.pValue - f2.pValue) < 1e-9 && close(z1.statistic, -z2.statistic);
        },
      ),
    ));
});

describe("identical samples", () => {
  it("give statistic 0 and no drift", () =>
    fc.assert(
      fc.property(sampleArb(2), (a) => {
        const b = a.slice();
        const bins = binNumeric(a, b);
        const ks = ksTestSorted(a, b);
        return (
          ks.statistic === 0 &&
          ks.pValue === 1 &&
          wassersteinSorted(a, b) === 0 &&
          energyDistanceSorted(a, b) === 0 &&
          Math.abs(psi(bins.reference, bins.current)) < 1e-15 &&
          Math.abs(klDivergence(bins.reference, bins.current)) < 1e-15 &&
          Math.abs(jensenShannonDistance(bins.reference, bins.current)) < 1e-7 &&
          hellinger(bins.reference, bins.current) === 0 &&
          mannWhitneySorted(a, b).pValue > 0.9 &&
          welchTTest(a, b).pValue === 1
        );
      }),
    ));
});

describe("p-values lie in [0, 1]", () => {
  it("for every numerical test", () =>
    fc.assert(
      fc.property(pair(2), ([a, b]) => {
        const ps = [
          ksTestSorted(a, b).pValue,
          cramerVonMisesSorted(a, b).pValue,
          mannWhitneySorted(a, b).pValue,
          welchTTest(a, b).pValue,
        ];
        if (new Set([...a, ...b]).size >= 2) ps.push(andersonKSampleSorted(a, b).pValue);
        return ps.every(inUnit);
      }),
    ));
  it("for the categorical tests", () =>
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 2, maxLength: 8 }),
        fc.array(fc.nat(1000), { minLength: 2, maxLength: 8 }),
        (r0, c0) => {
          const k = Math.min(r0.length, c0.length);
          const r = r0.slice(0, k).map((v, i) => v + (i === 0 ? 1 : 0));
          // Categories are the union of the values seen, so no category is empty in both samples
          // (scipy rejects such tables: an expected frequency of 0).
          const c = c0.slice(0, k).map((v, i) => v + (i === 0 || r[i] === 0 ? 1 : 0));
          const ps = [
            contingencyTest(r, c, "pearson").pValue,
            contingencyTest(r, c, "log-likelihood").pValue,
            fisherExact(r[0]!, r[1]!, c[0]!, c[1]!).pValue,
          ];
          if (r[0]! + r[1]! > 0 && c[0]! + c[1]! > 0)
            ps.push(zTest(r[0]!, r[0]! + r[1]!, c[0]!, c[0]! + c[1]!).pValue);
          return ps.every(inUnit);
        },
      ),
    ));
});

it("KS exact p-value is monotone in the statistic for fixed sizes (sanity)", () => {
  const a = sortedCopy([1, 2, 3, 4, 5, 6, 7, 8]);
  const shifts = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((s) =>
    ksTestSorted(a, sortedCopy([1, 2, 3, 4, 5, 6, 7, 8].map((v) => v + s + 0.5))),
  );
  for (let i = 1; i < shifts.length; i++) {
    expect(shifts[i]!.statistic).toBeGreaterThanOrEqual(shifts[i - 1]!.statistic);
    expect(shifts[i]!.pValue).toBeLessThanOrEqual(shifts[i - 1]!.pValue);
  }
});
