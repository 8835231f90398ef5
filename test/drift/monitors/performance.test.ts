import { describe, expect, it } from "vitest";
import { computePerformance, inferTask, rocAuc } from "../../../src/drift/monitors/performance.ts";

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
