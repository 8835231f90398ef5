import { describe, expect, it } from "vitest";
import type { Gathered } from "../../../src/drift/monitors/gather.ts";
import { judge } from "../../../src/drift/monitors/judge.ts";
import { Monitor } from "../../../src/drift/monitors/model.ts";
import type { SampledRow } from "../../../src/drift/monitors/store.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";

const monitor = (over: Record<string, unknown> = {}): Monitor =>
  Monitor.parse({
    id: "m1",
    name: "churn-daily",
    model: "churn",
    reference: { kind: "version", version: "1" },
    nextRunAt: null,
    lastRunAt: null,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    ...over,
  });

const rows = (ages: Float64Array, labels?: number[], outputs?: number[]): SampledRow[] =>
  Array.from(ages, (age, i) => ({
    features: { age },
    output: outputs?.[i] ?? null,
    label: labels?.[i] ?? null,
  }));

function gathered(
  ref: SampledRow[],
  cur: SampledRow[],
  plan: [string, number][][],
): Extract<Gathered, { enough: true }> {
  const counts = (pairs: [string, number][]) => new Map<string | null, number>(pairs);
  return {
    windows: {
      reference: { kind: "reference_rows", monitorId: "m1" },
      current: { kind: "reference_rows", monitorId: "m1" },
      info: { reference: { from: null, to: null }, current: { from: null, to: null } },
    },
    cap: 20_000,
    seed: 42,
    reference: { rows: ref.length, cachedAt: null },
    current: { rows: cur.length },
    enough: true,
    names: ["age", "plan"],
    kinds: new Map([
      ["age", "numerical"],
      ["plan", "categorical"],
    ]),
    outputKind: undefined,
    counts: {
      reference: new Map([["plan", counts(plan[0]!)]]),
      current: new Map([["plan", counts(plan[1]!)]]),
    },
    samples: { reference: ref, current: cur },
    sampled: false,
    labeled: null,
  };
}

const normal = (seed: number, loc: number) => generateSample({ dist: "normal", n: 500, seed, loc, scale: 1 });
const samePlans: [string, number][][] = [
  [
    ["free", 300],
    ["pro", 200],
  ],
  [
    ["free", 310],
    ["pro", 190],
  ],
];

describe("judge", () => {
  it("flags the shifted feature only; one of two drifted meets the default share of 0.5", () => {
    const j = judge(monitor(), gathered(rows(normal(1, 0)), rows(normal(2, 1.5)), samePlans));
    expect(j.features.map((f) => [f.name, f.drifted])).toEqual([
      ["age", true],
      ["plan", false],
    ]);
    expect(j.share).toBe(0.5);
    expect(j.drifted).toBe(true);
    expect(j.prediction).toBeNull();
    expect(j.performance).toBeNull();
  });

  it("the monitor's datasetDriftShare decides the verdict; same data is not drifted", () => {
    const g = gathered(rows(normal(1, 0)), rows(normal(2, 1.5)), samePlans);
    expect(judge(monitor({ options: { datasetDriftShare: 0.75 } }), g).drifted).toBe(false);
    const same = gathered(rows(normal(1, 0)), rows(normal(2, 0)), samePlans);
    expect(judge(monitor(), same)).toMatchObject({ drifted: false, share: 0 });
  });

  it("performance: a drop of the primary metric beyond performanceDrop is degraded", () => {
    const n = 200;
    const truth = Array.from({ length: n }, (_, i) => i % 2);
    const good = truth.slice();
    const bad = truth.map((t, i) => (i % 3 === 0 ? 1 - t : t));
    const g = gathered(rows(normal(1, 0)), rows(normal(2, 0)), samePlans);
    g.labeled = {
      reference: truth.map((label, i) => ({ features: {}, output: good[i], label })),
      current: truth.map((label, i) => ({ features: {}, output: bad[i], label })),
    };
    const perf = judge(monitor(), g).performance as { degraded: boolean; change: number; metric: string };
    expect(perf.degraded).toBe(true);
    expect(perf.change).toBeLessThan(-0.1);
    g.labeled.current = g.labeled.reference;
    expect((judge(monitor(), g).performance as { degraded: boolean }).degraded).toBe(false);
  });
});
