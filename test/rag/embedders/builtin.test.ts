import { describe, expect, it } from "vitest";
import { BUILTIN_DIMENSIONS, builtinVector } from "../../../src/rag/embedders/builtin.ts";
import { splitIdentifiers, terms } from "../../../src/rag/tokens.ts";

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("built-in embedder", () => {
  it("splits identifiers and stems", () => {
    expect(splitIdentifiers("KubeAPIErrorBudgetBurn")).toBe("Kube API Error Budget Burn");
    expect(terms("KubePodCrashLooping is crash-looping")).toEqual([
      "kube",
      "pod",
      "crash",
      "loop",
      "crash",
      "loop",
    ]);
  });

  it("is deterministic, unit length and fixed size", () => {
    const a = builtinVector("Pod is crash looping");
    expect(a).toHaveLength(BUILTIN_DIMENSIONS);
    expect(Array.from(a)).toEqual(Array.from(builtinVector("Pod is crash looping")));
    expect(cos(a, a)).toBeCloseTo(1, 5);
    expect(Array.from(builtinVector("the of and")).every((x) => x === 0)).toBe(true);
  });

  it("puts an alert closer to its runbook's words than to an unrelated one", () => {
    const q = builtinVector("Pod payments/api is in waiting state (reason: CrashLoopBackOff)");
    const crash = builtinVector("Kube Pod Crash Looping. Pod is in CrashLoop: the app dies and restarts");
    const disk = builtinVector("Node filesystem space filling up. Disk is almost full");
    expect(cos(q, crash)).toBeGreaterThan(cos(q, disk) + 0.1);
    // Character n-grams match run-together lower-case identifiers (common in labels and logs)
    // to their words, where word features alone see nothing in common.
    const noGrams = { ngrams: [3, 4], weights: { word: 1, pair: 0.5, gram: 0 } };
    const joined = (o?: typeof noGrams) =>
      cos(builtinVector("reason crashloopbackoff", 512, o), builtinVector("crash loop back off", 512, o));
    expect(Math.abs(joined(noGrams))).toBeLessThan(0.02);
    expect(joined()).toBeGreaterThan(0.05);
  });
});
