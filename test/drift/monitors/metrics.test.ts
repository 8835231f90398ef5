import { execFileSync, spawnSync } from "node:child_process";
import parsePrometheus from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { rng, syntheticRow } from "../../../bench/predictions-synthetic.ts";
import type { Report } from "../../../src/drift/monitors/model.ts";
import { insertReport } from "../../../src/drift/monitors/store.ts";
import { DRIFT_TESTS } from "../../../src/drift/stats/index.ts";
import { ingestPredictions } from "../../../src/predictions/ingest.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

/** promtool ships with Debian's `prometheus` package (scripts/ensure-test-tools.sh). */
function findPromtool(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const promtool = findPromtool();
if (!promtool && process.env.CI) throw new Error("CI needs promtool: run scripts/ensure-test-tools.sh");

type Sample = { labels: Record<string, string>; value: number };

/** The exposition parsed by a Prometheus text-format parser: family name → samples. */
function scrape(text: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const family of parsePrometheus(text)) {
    expect(family.type, family.name).toBe("GAUGE");
    out.set(
      family.name,
      family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })),
    );
  }
  return out;
}

const one = (samples: Sample[] | undefined, labels: Record<string, string>) => {
  const found = (samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found, JSON.stringify(labels)).toHaveLength(1);
  return found[0]!;
};

describeEachDatabase("drift metrics", (db) => {
  const t = useApp(db, { project: "churn-team" });
  const now = Date.now();

  it("a real run: one score scale (≥ 1 ⇔ drifted), raw statistic and p-value by test", async () => {
    const r = rng(11);
    const reference = Array.from({ length: 800 }, () => {
      const s = syntheticRow(r, { seed: 11 });
      return { features: s.features, output: s.output };
    });
    const current = Array.from({ length: 400 }, (_, i) => ({
      model: "churn",
      requestId: `cur-${i}`,
      timestamp: new Date(now - 30 * 60_000 + i * 1000).toISOString(),
      ...syntheticRow(r, { seed: 12, shift: true }),
    }));
    await ingestPredictions(db.database.db, t.projectId, [current]);
    // Tests on very different scales: chi-square counts, KS D, normed Wasserstein, PSI.
    const tests = {
      plan: { test: "chisquare" },
      age: { test: "ks" },
      income: { test: "wasserstein" },
      sessions: { test: "psi" },
      active: { test: "z" },
    };
    const res = await t.post("/api/v1/monitors", {
      name: "churn-scales",
      model: "churn",
      reference: { kind: "rows", rows: reference },
      current: { kind: "window", seconds: 3600 },
      tests,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const run = await t.request(`/api/v1/monitors/${id}/run`, { method: "POST" });
    expect(run.status).toBe(200);
    const report = (await run.json()) as Report;
    expect(report.status).toBe("ok");
    // Both drifted and clean features, so the score is seen on both sides of 1.
    expect(report.features.some((f) => f.drifted)).toBe(true);
    expect(report.features.some((f) => !f.drifted)).toBe(true);

    const text = await (await t.app.request("/metrics/drift")).text();
    const m = scrape(text);
    const base = { project: "churn-team", model: "churn", monitor: "churn-scales" };
    for (const f of [...report.features, report.prediction!]) {
      const key = { ...base, feature: f.name };
      const test = DRIFT_TESTS.get(f.test!)!;
      const detected = one(m.get("vigil_drift_detected"), key).value;
      const score = one(m.get("vigil_drift_score"), key).value;
      expect(detected).toBe(f.drifted ? 1 : 0);
      expect(score >= 1, `${f.name} (${f.test}) score ${score}`).toBe(f.drifted);
      expect(one(m.get("vigil_drift_statistic"), { ...key, test: f.test! }).value).toBeCloseTo(
        f.statistic!,
        10,
      );
      const expected =
        test.verdict === "distance"
          ? f.statistic! / f.threshold!
          : f.pValue === 0
            ? 100
            : Math.log(f.pValue!) / Math.log(f.threshold!);
      expect(score).toBeCloseTo(Math.min(expected, 100), 10);
      const p = (m.get("vigil_drift_p_value") ?? []).filter((s) => s.labels.feature === f.name);
      if (test.verdict === "p_value") {
        expect(p).toHaveLength(1);
        expect(p[0]!.labels.test).toBe(f.test);
        expect(p[0]!.value).toBeCloseTo(f.pValue!, 12);
      } else {
        expect(p).toEqual([]);
      }
    }
    // The complaint: a chi-square of tens next to a KS D below 1. The scores share one scale.
    const plan = report.features.find((f) => f.name === "plan")!;
    expect(plan.statistic!).toBeGreaterThan(10);
    expect(one(m.get("vigil_drift_score"), { ...base, feature: "plan" }).value).toBeGreaterThanOrEqual(1);
    // The project is named, not a UUID.
    expect(text).not.toContain(t.projectId);
    expect(one(m.get("vigil_drift_share"), base).value).toBeCloseTo(report.share!, 12);
  });

  it("edge results: p = 0, an infinite distance, a NaN p, a failed feature, MMD and legacy embeddings", async () => {
    const mon = await t.post("/api/v1/monitors", {
      name: "edges",
      model: "edge-model",
      reference: { kind: "version", version: "v1" },
    });
    expect(mon.status).toBe(201);
    const monitorId = ((await mon.json()) as { id: string }).id;
    const col = {
      type: "numerical",
      referenceSize: 100,
      currentSize: 100,
      missing: { reference: 0, current: 0 },
    };
    const embedding = {
      dimension: 4,
      cosineDistance: 0.1,
      euclideanDistance: 0.4,
      referenceSize: 100,
      currentSize: 100,
    };
    await insertReport(db.database.db, t.projectId, {
      monitorId,
      trigger: "manual",
      status: "ok",
      drifted: true,
      share: 0.5,
      reference: {},
      current: {},
      features: [
        { ...col, name: "p_zero", test: "ks", statistic: 0.9, pValue: 0, threshold: 0.05, drifted: true },
        {
          ...col,
          name: "at_threshold",
          test: "ks",
          statistic: 0.2,
          pValue: 0.05,
          threshold: 0.05,
          drifted: false,
        },
        { ...col, name: "kl_inf", test: "kl_div", statistic: null, threshold: 0.1, drifted: true },
        {
          ...col,
          name: "p_nan",
          test: "anderson",
          statistic: null,
          pValue: null,
          threshold: 0.1,
          drifted: false,
        },
        { name: "broken", drifted: false, error: { code: "empty_column", message: "no values" } },
      ] as Report["features"],
      prediction: null,
      performance: null,
      embeddings: [
        {
          ...embedding,
          name: "emb",
          method: "mmd",
          statistic: 0.02,
          pValue: 1 / 101,
          threshold: 0.05,
          drifted: true,
          mmd: {
            kernel: "rbf",
            bandwidth: 1,
            permutations: 100,
            referenceSize: 100,
            currentSize: 100,
            sampled: false,
          },
          componentRatio: { driftedComponents: 1, share: 0.25, threshold: 0.2, drifted: true },
        },
        // Stored before the MMD verdict: judged by the share of drifted components.
        {
          ...embedding,
          name: "emb_old",
          method: "component_ratio",
          driftedComponents: 1,
          share: 0.1,
          threshold: 0.2,
          drifted: false,
        } as unknown as NonNullable<Report["embeddings"]>[number],
      ],
      sampling: null,
      error: null,
      durationMs: 1,
    });
    const m = scrape(await (await t.app.request("/metrics/drift")).text());
    const base = { project: "churn-team", model: "edge-model", monitor: "edges" };
    const score = (feature: string) =>
      (m.get("vigil_drift_score") ?? []).find(
        (s) => s.labels.monitor === "edges" && s.labels.feature === feature,
      )?.value;
    expect(score("p_zero")).toBe(100);
    expect(score("at_threshold")).toBeLessThan(1);
    expect(score("at_threshold")).toBeGreaterThan(0.999);
    expect(score("kl_inf")).toBe(100);
    expect(score("p_nan")).toBeUndefined();
    expect(score("broken")).toBeUndefined();
    expect(one(m.get("vigil_drift_detected"), { ...base, feature: "broken" }).value).toBe(0);
    expect(score("emb")).toBeCloseTo(Math.log(1 / 101) / Math.log(0.05), 12);
    expect(one(m.get("vigil_drift_statistic"), { ...base, feature: "emb", test: "mmd" }).value).toBe(0.02);
    expect(one(m.get("vigil_drift_p_value"), { ...base, feature: "emb", test: "mmd" }).value).toBeCloseTo(
      1 / 101,
      12,
    );
    expect(score("emb_old")).toBeCloseTo(0.5, 12);
    expect(
      one(m.get("vigil_drift_statistic"), { ...base, feature: "emb_old", test: "component_ratio" }).value,
    ).toBe(0.1);
    // No statistic series for what was not finite.
    const stats = (m.get("vigil_drift_statistic") ?? []).filter((s) => s.labels.monitor === "edges");
    expect(stats.map((s) => s.labels.feature).sort()).toEqual(["at_threshold", "emb", "emb_old", "p_zero"]);
  });

  (promtool ? describe : describe.skip)(
    `promtool (${promtool ?? "not installed: apt install prometheus"})`,
    () => {
      it("promtool check metrics accepts the exposition", async () => {
        const text = await (await t.app.request("/metrics/drift")).text();
        const r = spawnSync(promtool!, ["check", "metrics"], { input: text, encoding: "utf8" });
        expect(`${r.stdout}${r.stderr}`.trim()).toBe("");
        expect(r.status).toBe(0);
      });
    },
  );
});
