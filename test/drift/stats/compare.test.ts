import { describe, expect, it } from "vitest";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { type CompareOptions, compareDatasets, DriftInputError } from "../../../src/drift/stats/index.ts";
import { ksTestSorted } from "../../../src/drift/stats/ks.ts";
import { sortedCopy } from "../../../src/drift/stats/numeric.ts";

const normal = (n: number, seed: number, loc = 0) =>
  Array.from(generateSample({ dist: "normal", n, seed, loc }));

function inputError(fn: () => unknown): DriftInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DriftInputError) return e;
    throw e;
  }
  throw new Error("expected a DriftInputError");
}

describe("compareDatasets: default test selection (Evidently's rules)", () => {
  it("small numerical → KS with threshold 0.05, result equals the KS function", () => {
    const ref = normal(300, 1);
    const cur = normal(200, 2, 0.4);
    const r = compareDatasets({ x: ref }, { x: cur });
    const col = r.columns[0]!;
    expect(col.test).toBe("ks");
    expect(col.threshold).toBe(0.05);
    const direct = ksTestSorted(sortedCopy(ref), sortedCopy(cur));
    expect(col.statistic).toBe(direct.statistic);
    expect(col.pValue).toBe(direct.pValue);
    expect(col.drifted).toBe(direct.pValue < 0.05);
  });
  it("large numerical → normed Wasserstein, threshold 0.1", () => {
    const col = compareDatasets({ x: normal(2000, 3) }, { x: normal(2000, 4, 0.5) }).columns[0]!;
    expect(col.test).toBe("wasserstein");
    expect(col.threshold).toBe(0.1);
    expect(col.pValue).toBeUndefined();
    expect(col.drifted).toBe(true);
  });
  it("small categorical: > 2 values → chi-square, 2 → z-test; large → Jensen–Shannon", () => {
    expect(compareDatasets({ c: ["a", "b", "c", "a"] }, { c: ["a", "b", "b"] }).columns[0]!.test).toBe(
      "chisquare",
    );
    expect(compareDatasets({ c: ["a", "b", "a"] }, { c: ["a", "b", "b"] }).columns[0]!.test).toBe("z");
    const big = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? "a" : "b"));
    expect(compareDatasets({ c: big }, { c: big }).columns[0]!.test).toBe("jensenshannon");
  });
  it("numerical with 3–5 distinct non-integer values → chi-square; integers with ≤ 10 values are categorical", () => {
    const few = [0.5, 1.5, 2.5, 0.5, 1.5];
    const r1 = compareDatasets({ x: few }, { x: few });
    expect(r1.columns[0]!.type).toBe("numerical");
    expect(r1.columns[0]!.test).toBe("chisquare");
    const codes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2];
    expect(compareDatasets({ x: codes }, { x: codes }).columns[0]!.type).toBe("categorical");
    const many = Array.from({ length: 30 }, (_, i) => i);
    expect(compareDatasets({ x: many }, { x: many }).columns[0]!.type).toBe("numerical");
  });
});

describe("compareDatasets: missing values, overrides, dataset verdict", () => {
  it("excludes and counts missing values (null, NaN, empty string)", () => {
    const r = compareDatasets(
      { x: [1.5, null, 2.5, Number.NaN, 3.5, 4.5, 5.5, 6.5] },
      { x: [1.5, 2.5, "", 3.5] },
    );
    const col = r.columns[0]!;
    expect(col.missing).toEqual({ reference: 2, current: 1 });
    expect(col.referenceSize).toBe(6);
    expect(col.currentSize).toBe(3);
  });
  it("per-column test and threshold override", () => {
    const r = compareDatasets(
      { x: normal(100, 5) },
      { x: normal(100, 6, 0.2) },
      { columns: { x: { test: "psi", threshold: 0.5 } } },
    );
    expect(r.columns[0]!.test).toBe("psi");
    expect(r.columns[0]!.threshold).toBe(0.5);
  });
  it("dataset drifts when share ≥ datasetDriftShare (default 0.5)", () => {
    const ref = { a: normal(200, 7), b: normal(200, 8) };
    const cur = { a: normal(200, 9, 2), b: normal(200, 10) };
    const r = compareDatasets(ref, cur);
    expect(r.driftedColumns).toBe(1);
    expect(r.share).toBe(0.5);
    expect(r.drifted).toBe(true);
    expect(compareDatasets(ref, cur, { datasetDriftShare: 0.6 }).drifted).toBe(false);
  });
  it("type override: numbers treated as categories", () => {
    const r = compareDatasets(
      { x: normal(50, 11) },
      { x: normal(50, 12) },
      { columns: { x: { type: "categorical" } } },
    );
    expect(r.columns[0]!.type).toBe("categorical");
    expect(r.columns[0]!.test).toBe("chisquare");
  });
  it("every registered test runs on suitable data", () => {
    const num = [
      "ks",
      "wasserstein",
      "psi",
      "kl_div",
      "jensenshannon",
      "hellinger",
      "anderson",
      "cramer_von_mises",
      "mannw",
      "t_test",
      "ed",
      "empirical_mmd",
    ] as const;
    for (const test of num) {
      const col = compareDatasets(
        { x: normal(60, 13) },
        { x: normal(60, 14, 3) },
        { columns: { x: { test } } },
      ).columns[0]!;
      expect(col.test).toBe(test);
      expect(col.drifted, test).toBe(true);
    }
    for (const test of ["chisquare", "g_test"] as const) {
      const round = (v: number) => Math.round(v);
      const r = compareDatasets(
        { x: normal(80, 15).map(round) },
        { x: normal(80, 16, 3).map(round) },
        { columns: { x: { test } } },
      );
      expect(r.columns[0]!.drifted, test).toBe(true);
    }
    for (const test of ["z", "fisher_exact"] as const) {
      const ref = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? "yes" : "no"));
      const cur = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? "no" : "yes"));
      expect(compareDatasets({ x: ref }, { x: cur }, { columns: { x: { test } } }).columns[0]!.drifted).toBe(
        true,
      );
    }
  });
});

describe("compareDatasets: input errors", () => {
  it("mismatched column sets", () => {
    const e = inputError(() => compareDatasets({ a: [1], b: [2] }, { a: [1], c: [3] }));
    expect(e.code).toBe("column_mismatch");
    expect(e.details).toEqual({ onlyInReference: ["b"], onlyInCurrent: ["c"] });
  });
  it("empty column (all missing)", () => {
    expect(inputError(() => compareDatasets({ a: [null, null] }, { a: [1, 2] })).code).toBe("empty_column");
    expect(inputError(() => compareDatasets({ a: [1, 2] }, { a: [] })).code).toBe("empty_column");
  });
  it("no columns", () => expect(inputError(() => compareDatasets({}, {})).code).toBe("no_columns"));
  it("unknown test name", () => {
    const bogus = { columns: { a: { test: "bogus" } } } as unknown as CompareOptions;
    const e = inputError(() => compareDatasets({ a: [1, 2] }, { a: [1, 2] }, bogus));
    expect(e.code).toBe("unknown_test");
  });
  it("numerical test on a categorical column", () => {
    const e = inputError(() =>
      compareDatasets({ a: ["x", "y"] }, { a: ["y", "x"] }, { columns: { a: { test: "ks" } } }),
    );
    expect(e.code).toBe("test_type_mismatch");
  });
  it("declared numerical but holds strings", () => {
    const e = inputError(() =>
      compareDatasets({ a: ["x", 1] }, { a: [2, 3] }, { columns: { a: { type: "numerical" } } }),
    );
    expect(e.code).toBe("test_type_mismatch");
  });
  it("binary-only test on three categories", () => {
    const e = inputError(() =>
      compareDatasets({ a: ["x", "y", "z"] }, { a: ["x"] }, { columns: { a: { test: "z" } } }),
    );
    expect(e.code).toBe("not_binary");
  });
  it("binary-only test on a many-valued numeric column (distinct counted up to the cap)", () => {
    const many = Array.from({ length: 40 }, (_, i) => i / 3);
    const e = inputError(() => compareDatasets({ a: many }, { a: many }, { columns: { a: { test: "z" } } }));
    expect(e.code).toBe("not_binary");
    expect(e.message).toMatch(/has 11 or more/);
    // Integer codes: 10 distinct → categorical, 11 → numerical, whichever sample holds the 11th.
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(compareDatasets({ a: ten }, { a: ten }).columns[0]!.type).toBe("categorical");
    expect(compareDatasets({ a: ten }, { a: [...ten, 10] }).columns[0]!.type).toBe("numerical");
  });
  it("options for an unknown column", () => {
    expect(inputError(() => compareDatasets({ a: [1] }, { a: [1] }, { columns: { b: {} } })).code).toBe(
      "unknown_column",
    );
  });
});
