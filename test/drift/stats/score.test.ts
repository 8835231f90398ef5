import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import {
  compareDatasets,
  DRIFT_TESTS,
  driftScore,
  SCORE_CAP,
  type TestName,
} from "../../../src/drift/stats/index.ts";

const threshold = fc.double({ min: 1e-9, max: 0.999, noNaN: true });

describe("driftScore: one scale, ≥ 1 exactly when the test says drifted", () => {
  it("p-value tests: ln(p) / ln(threshold); p = 1 → 0, p = threshold² → 2", () => {
    const s = (pValue: number | null | undefined, t = 0.05) =>
      driftScore({ verdict: "p_value", pValue, threshold: t });
    expect(s(1)).toBe(0);
    expect(s(0.05 ** 2)).toBeCloseTo(2, 12);
    expect(s(0.05 ** 3)).toBeCloseTo(3, 12);
    expect(s(Math.sqrt(0.05))).toBeCloseTo(0.5, 12);
    expect(s(0)).toBe(SCORE_CAP);
    expect(s(1e-300)).toBe(SCORE_CAP);
    expect(s(Number.NaN)).toBeUndefined();
    expect(s(null)).toBeUndefined();
    expect(s(undefined)).toBeUndefined();
    // At the threshold the test does not call it drifted (p < threshold), so the score stays below 1.
    expect(s(0.05)).toBeLessThan(1);
    expect(s(0.05)).toBeGreaterThan(0.9999999);
    // A threshold of 1 or more leaves no scale: drifted or not.
    expect(s(0.5, 1)).toBe(1);
    expect(s(1, 1)).toBe(0);
  });

  it("distance tests: statistic / threshold; an infinite distance is the cap, a NaN one has no score", () => {
    const s = (statistic: number | null, drifted = false, t = 0.1) =>
      driftScore({ verdict: "distance", statistic, threshold: t, drifted });
    expect(s(0)).toBe(0);
    expect(s(0.1)).toBe(1);
    expect(s(0.05)).toBeCloseTo(0.5, 12);
    expect(s(0.3)).toBeCloseTo(3, 12);
    expect(s(1e6)).toBe(SCORE_CAP);
    expect(s(Number.POSITIVE_INFINITY)).toBe(SCORE_CAP);
    expect(s(null, true)).toBe(SCORE_CAP); // stored as null, verdict drifted: it was +∞
    expect(s(null, false)).toBeUndefined();
    expect(s(Number.NaN)).toBeUndefined();
    expect(s(-1e-17)).toBe(0);
  });

  it("property: p-value tests score ≥ 1 ⇔ p < threshold, monotone in p", () =>
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        threshold,
        (p, q, t) => {
          const a = driftScore({ verdict: "p_value", pValue: p, threshold: t })!;
          const b = driftScore({ verdict: "p_value", pValue: q, threshold: t })!;
          const ok = a >= 0 && a <= SCORE_CAP && a >= 1 === p < t;
          return ok && (p <= q ? a >= b : a <= b);
        },
      ),
    ));

  it("property: distance tests score ≥ 1 ⇔ statistic ≥ threshold", () =>
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        (x, t) => {
          const s = driftScore({ verdict: "distance", statistic: x, threshold: t })!;
          return s >= 0 && s <= SCORE_CAP && s >= 1 === x >= t;
        },
      ),
    ));

  it("every test of the engine: the score of a real result agrees with its verdict", () => {
    const n = 400;
    const numeric = (seed: number, loc: number) => generateSample({ dist: "normal", n, seed, loc });
    const categories = (seed: number, shift: number, k: number) =>
      Array.from(numeric(seed, shift), (v) => `c${Math.min(k - 1, Math.max(0, Math.floor(v + k / 2)))}`);
    let drifted = 0;
    let clean = 0;
    for (const [name, test] of DRIFT_TESTS) {
      for (const shift of [0, 0.05, 0.2, 1]) {
        const categorical = !test.types.includes("numerical");
        const binary = test.binary === true;
        const ref = categorical || binary ? categories(1, 0, binary ? 2 : 4) : numeric(1, 0);
        const cur = categorical || binary ? categories(2, shift, binary ? 2 : 4) : numeric(2, shift);
        const result = compareDatasets(
          { x: ref as never },
          { x: cur as never },
          { columns: { x: { test: name as TestName, ...(binary ? { type: "categorical" } : {}) } }, seed: 3 },
        ).columns[0]!;
        const score = driftScore({ ...result, verdict: test.verdict });
        expect(score, `${name} shift ${shift}`).toBeDefined();
        expect(score! >= 1, `${name} shift ${shift}: score ${score}, ${JSON.stringify(result)}`).toBe(
          result.drifted,
        );
        if (result.drifted) drifted++;
        else clean++;
      }
    }
    // Both sides of the threshold were exercised.
    expect(drifted).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(10);
  });
});
