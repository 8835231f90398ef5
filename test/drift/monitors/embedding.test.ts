import { describe, expect, it } from "vitest";
import { normal, rng } from "../../../bench/predictions-synthetic.ts";
import { embeddingDrift } from "../../../src/drift/monitors/embedding.ts";

describe("embedding drift", () => {
  const vectors = (seed: number, n: number, shift: number, dim = 16) => {
    const r = rng(seed);
    return Array.from({ length: n }, () =>
      Array.from({ length: dim }, (_, d) => normal(r) + (d < dim / 2 ? shift : 0)),
    );
  };
  /** Two tight clusters on a diagonal: (a, a) and (−a, −a), or the other diagonal when `rotated`. */
  const clusters = (seed: number, n: number, rotated: boolean) => {
    const r = rng(seed);
    return Array.from({ length: n }, (_, i) => {
      const s = i % 2 ? 1 : -1;
      return [s * 2 + normal(r) * 0.3, (rotated ? -s : s) * 2 + normal(r) * 0.3, normal(r), normal(r)];
    });
  };
  it("same distribution: not drifted; half the components shifted: drifted by MMD and by the ratio", () => {
    const ref = vectors(1, 800, 0);
    const same = embeddingDrift("emb", ref, vectors(2, 800, 0));
    expect(same).toMatchObject({ drifted: false, dimension: 16, method: "mmd", threshold: 0.05 });
    expect((same as { pValue: number }).pValue).toBeGreaterThan(0.05);
    const moved = embeddingDrift("emb", ref, vectors(3, 800, 0.5));
    expect(moved).toMatchObject({
      drifted: true,
      method: "mmd",
      componentRatio: { driftedComponents: 8, drifted: true },
      // 800 vectors a window, past the cap of 500: a seeded subsample, and the report says so.
      mmd: { kernel: "rbf", referenceSize: 500, currentSize: 500, sampled: true, permutations: 100 },
    });
    const m = moved as { pValue: number; statistic: number; euclideanDistance: number };
    // No permutation of the pooled sample reaches the observed MMD²: the smallest p there is.
    expect(m.pValue).toBeCloseTo(1 / 101, 10);
    expect(m.statistic).toBeGreaterThan((same as { statistic: number }).statistic);
    expect(m.euclideanDistance).toBeGreaterThan(1);
  });
  it("a rotated cluster keeps every marginal and the mean: only the multivariate test sees it", () => {
    const ref = clusters(4, 300, false);
    const same = embeddingDrift("emb", ref, clusters(5, 300, false));
    expect(same).toMatchObject({ drifted: false });
    const rotated = embeddingDrift("emb", ref, clusters(6, 300, true));
    expect(rotated).toMatchObject({ drifted: true });
    type R = { componentRatio: { driftedComponents: number }; euclideanDistance: number };
    // The per-component view is the same as for a sample of the reference's own distribution.
    expect((rotated as R).componentRatio.driftedComponents).toBe(
      (same as R).componentRatio.driftedComponents,
    );
    expect((rotated as R).euclideanDistance).toBeLessThan(0.3);
  });
  it("is deterministic with the seed, and says when it sampled past the cap", () => {
    const ref = vectors(7, 300, 0, 8);
    const cur = vectors(8, 300, 0.15, 8);
    const a = embeddingDrift("emb", ref, cur, { seed: 3, maxSamples: 120 });
    expect(embeddingDrift("emb", ref, ref.slice(0, 150))).toMatchObject({ mmd: { sampled: false } });
    const b = embeddingDrift("emb", ref, cur, { seed: 3, maxSamples: 120 });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ mmd: { referenceSize: 120, currentSize: 120, sampled: true } });
    const other = embeddingDrift("emb", ref, cur, { seed: 4, maxSamples: 120 });
    expect((other as { statistic: number }).statistic).not.toBe((a as { statistic: number }).statistic);
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
