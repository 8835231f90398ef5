import { describe, expect, it } from "vitest";
import { normal, rng } from "../../bench/predictions-synthetic.ts";
import { embeddingDrift } from "../../src/drift/embedding.ts";
import { featureKind } from "../../src/drift/feature-tests.ts";
import { computePerformance, inferTask, rocAuc } from "../../src/drift/performance.ts";

describe("performance metrics", () => {
  it("binary classification from scores: accuracy, precision, recall, F1, ROC AUC", () => {
    const pairs = [
      { output: 0.9, label: 1 },
      { output: 0.8, label: 1 },
      { output: 0.7, label: 0 },
      { output: 0.4, label: 1 },
      { output: 0.2, label: 0 },
      { output: 0.1, label: 0 },
    ];
    const p = computePerformance(pairs);
    expect(p.task).toBe("classification");
    // predicted 1,1,1,0,0,0 vs 1,1,0,1,0,0: tp 2, fp 1, fn 1
    expect(p.metrics.accuracy).toBeCloseTo(4 / 6);
    expect(p.metrics.precision).toBeCloseTo(2 / 3);
    expect(p.metrics.recall).toBeCloseTo(2 / 3);
    expect(p.metrics.f1).toBeCloseTo(2 / 3);
    // 9 positive/negative pairs, 8 ordered right (sklearn.metrics.roc_auc_score gives 0.8888…)
    expect(p.metrics.rocAuc).toBeCloseTo(8 / 9);
  });
  it("ROC AUC counts ties as half", () => {
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
  });
  it("multi-class with string classes: macro averages", () => {
    const p = computePerformance([
      { output: "a", label: "a" },
      { output: "b", label: "a" },
      { output: "b", label: "b" },
      { output: "c", label: "c" },
    ]);
    expect(p.metrics.accuracy).toBe(0.75);
    // a: P 1, R .5; b: P .5, R 1; c: P 1, R 1 → macro P .8333, R .8333
    expect(p.metrics.precision).toBeCloseTo(2.5 / 3);
    expect(p.metrics.recall).toBeCloseTo(2.5 / 3);
    expect(p.metrics.rocAuc).toBeNull();
  });
  it("regression: MAE, RMSE, MAPE (zero labels left out of MAPE)", () => {
    const pairs = [
      { output: 12, label: 10 },
      { output: 8, label: 10 },
      { output: 1, label: 0 },
    ];
    expect(inferTask(pairs.map((p) => p.label))).toBe("regression");
    const p = computePerformance(pairs);
    expect(p.metrics.mae).toBeCloseTo(5 / 3);
    expect(p.metrics.rmse).toBeCloseTo(Math.sqrt(9 / 3));
    expect(p.metrics.mape).toBeCloseTo(0.2);
  });
});

describe("embedding drift", () => {
  const vectors = (seed: number, n: number, shift: number) => {
    const r = rng(seed);
    return Array.from({ length: n }, () =>
      Array.from({ length: 16 }, (_, d) => normal(r) + (d < 8 ? shift : 0)),
    );
  };
  it("same distribution: not drifted; half the components shifted: drifted", () => {
    const ref = vectors(1, 800, 0);
    const same = embeddingDrift("emb", ref, vectors(2, 800, 0));
    expect(same).toMatchObject({ drifted: false, dimension: 16, method: "component_ratio" });
    const moved = embeddingDrift("emb", ref, vectors(3, 800, 0.5));
    expect(moved).toMatchObject({ drifted: true, driftedComponents: 8 });
    expect((moved as { euclideanDistance: number }).euclideanDistance).toBeGreaterThan(1);
  });
  it("mismatched dimensions are an error result, not a throw", () => {
    expect(
      embeddingDrift(
        "e",
        [
          [1, 2],
          [1, 3],
        ],
        [[1], [2]],
      ),
    ).toMatchObject({ error: { code: "dimension_mismatch" } });
  });
});

describe("featureKind", () => {
  it("follows Evidently's typing", () => {
    expect(featureKind([1.5, 2, 3])).toBe("numerical");
    expect(featureKind([1, 2, 3, 1, null])).toBe("categorical"); // ≤ 10 integer values
    expect(featureKind(Array.from({ length: 20 }, (_, i) => i))).toBe("numerical");
    expect(featureKind(["a", "b"])).toBe("categorical");
    expect(featureKind([true, false])).toBe("categorical");
    expect(featureKind([[1, 2], null])).toBe("vector");
    expect(featureKind([1, 2, 3], "numerical")).toBe("numerical");
  });
});
