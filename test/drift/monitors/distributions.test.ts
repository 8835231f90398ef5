import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { rng, syntheticRow } from "../../../bench/predictions-synthetic.ts";
import type { FeatureResult, Report } from "../../../src/drift/monitors/model.ts";
import { ingestPredictions } from "../../../src/predictions/ingest.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

const HOUR = 3_600_000;
const now = Date.now();
const weekStart = new Date(now - 8 * 24 * HOUR);
const weekEnd = new Date(now - 24 * HOUR);

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** Rows binned for one side of a feature: bins + other bucket (categories). */
function binned(f: FeatureResult, side: "reference" | "current"): number {
  const d = f.distribution!;
  return sum(d[side]) + (d.kind === "categories" ? d.other[side] : 0);
}

describeEachDatabase("drift report distributions", (db) => {
  const t = useApp(db);

  /** n rows over [from, to); every 7th row has no age (a missing value the tests leave out). */
  async function seed(model: string, n: number, from: Date, to: Date, seed: number, shift = false) {
    const r = rng(seed);
    const rows = Array.from({ length: n }, (_, i) => {
      const s = syntheticRow(r, { seed, shift });
      if (i % 7 === 0) delete (s.features as Record<string, unknown>).age;
      return {
        model,
        modelVersion: "v1",
        requestId: `${model}-${seed}-${i}`,
        timestamp: new Date(from.getTime() + ((to.getTime() - from.getTime()) * i) / n).toISOString(),
        ...s,
      };
    });
    await ingestPredictions(db.database.db, t.projectId, [rows]);
  }
  const monitor = async (name: string, options: Record<string, unknown> = {}) => {
    const res = await t.post("/api/v1/monitors", {
      name,
      model: "hist",
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "window", seconds: 3600 },
      options,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const run = async (id: string) => {
    const res = await t.request(`/api/v1/monitors/${id}/run`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Report;
  };
  const get = async (id: string) => (await (await t.request(`/api/v1/reports/${id}`)).json()) as Report;

  it("a run stores each feature's binned windows, summing to what the tests saw; the report returns them", async () => {
    await seed("hist", 700, weekStart, weekEnd, 11);
    await seed("hist", 350, new Date(now - 50 * 60_000), new Date(now - 60_000), 12, true);
    const ran = await run(await monitor("hist"));
    const report = await get(ran.id);
    expect(report).toEqual(ran);
    const features = [...report.features, report.prediction!];
    expect(features.map((f) => f.name).sort()).toEqual([
      "active",
      "age",
      "income",
      "plan",
      "prediction",
      "sessions",
    ]);
    for (const f of features) {
      expect(f.distribution, f.name).toBeDefined();
      const d = f.distribution!;
      expect(d.kind).toBe(f.type === "numerical" ? "histogram" : "categories");
      expect(binned(f, "reference"), f.name).toBe(f.referenceSize);
      expect(binned(f, "current"), f.name).toBe(f.currentSize);
      expect(d.missing, f.name).toEqual(f.missing);
      // Every row of the window is binned or missing: nothing is dropped on the way.
      expect(f.referenceSize! + f.missing!.reference, f.name).toBe(700);
      expect(f.currentSize! + f.missing!.current, f.name).toBe(350);
      if (d.kind === "histogram") expect(d.edges).toHaveLength(d.reference.length + 1);
    }
    const age = report.features.find((f) => f.name === "age")!;
    expect(age.missing).toEqual({ reference: 100, current: 50 });
    // The new category of the shifted window is one of the bars.
    const plan = report.features.find((f) => f.name === "plan")!.distribution!;
    expect(plan.kind === "categories" && plan.labels).toContain("enterprise");
  });

  it("past the sample cap numerical bins hold the sample, categorical ones every row", async () => {
    const report = await run(await monitor("hist-capped", { sampleCap: 200, seed: 3 }));
    const age = report.features.find((f) => f.name === "age")!;
    const plan = report.features.find((f) => f.name === "plan")!;
    expect(age.sampled).toBe(true);
    expect(binned(age, "reference") + age.missing!.reference).toBe(report.reference.sampled);
    expect(report.reference.sampled).toBe(200);
    expect(binned(plan, "reference")).toBe(700);
  });

  it("the report list leaves them out; a report stored before them has none", async () => {
    const res = await t.request("/api/v1/reports?limit=10");
    const { reports } = (await res.json()) as { reports: Report[] };
    expect(reports.length).toBe(2);
    for (const r of reports) for (const f of r.features) expect(f.distribution).toBeUndefined();
    const stored = await db.database.query<{ d: { features: unknown[] } }>(
      sql`select distributions as d from drift_reports where id = ${reports[0]!.id}::uuid`,
    );
    expect(stored[0]!.d.features).toHaveLength(reports[0]!.features.length);
    // The features column itself stays as it was (dashboards read it).
    const features = await db.database.query<{ f: Record<string, unknown>[] }>(
      sql`select features as f from drift_reports where id = ${reports[0]!.id}::uuid`,
    );
    for (const f of features[0]!.f) expect(f).not.toHaveProperty("distribution");

    await db.database.query(
      sql`update drift_reports set distributions = null where id = ${reports[0]!.id}::uuid`,
    );
    const old = await get(reports[0]!.id);
    expect(old.features.length).toBeGreaterThan(0);
    for (const f of [...old.features, old.prediction!]) expect(f.distribution).toBeUndefined();
  });
});
