/**
 * A real dataset nobody here wrote: the UCI Auto MPG data as shipped in vega-datasets (cars.json),
 * split to induce drift (see test/fixtures/README.md). KS p-values are checked against scipy
 * (test/monitors/fixtures/cars-ks.py → cars-ks.json).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";
import type { Report } from "../../../src/drift/monitors/model.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

type Car = Record<string, string | number | null>;
const require = createRequire(import.meta.url);
// The package exports only its JS entry; its data files sit beside build/.
const dataDir = join(dirname(require.resolve("vega-datasets")), "..", "data");
const cars: Car[] = JSON.parse(readFileSync(join(dataDir, "cars.json"), "utf8"));
const scipy = JSON.parse(readFileSync(new URL("./fixtures/cars-ks.json", import.meta.url), "utf8")) as Record<
  "origin" | "alternate",
  { ks: Record<string, { statistic: number; pValue: number }> }
>;
const NUMERIC = ["Miles_per_Gallon", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration"];
const FEATURES = [...NUMERIC, "Cylinders"];
const features = (c: Car) => Object.fromEntries(FEATURES.map((f) => [f, c[f] ?? null]));

describeEachDatabase("drift on a real dataset (Auto MPG from vega-datasets)", (db) => {
  const t = useApp(db);

  /** Uploads `reference` with the monitor, logs `current` as predictions of `model`, runs it. */
  async function monitor(model: string, reference: Car[], current: Car[]): Promise<Report> {
    const now = Date.now();
    const logged = await t.post(
      "/api/v1/predictions",
      current.map((c, i) => ({
        model,
        requestId: `${model}-${i}`,
        timestamp: new Date(now - 60_000 + i).toISOString(),
        features: features(c),
        output: c.Miles_per_Gallon,
      })),
    );
    expect(logged.status).toBe(200);
    const created = await t.post("/api/v1/monitors", {
      name: model,
      model,
      features: FEATURES,
      reference: {
        kind: "rows",
        rows: reference.map((c) => ({ features: features(c), output: c.Miles_per_Gallon })),
      },
      current: { kind: "window", seconds: 3600 },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    return (await (await t.request(`/api/v1/monitors/${id}/run`, { method: "POST" })).json()) as Report;
  }

  it("USA-made vs Japan-made cars: every feature drifted; KS matches scipy", async () => {
    const report = await monitor(
      "cars-origin",
      cars.filter((c) => c.Origin === "USA"),
      cars.filter((c) => c.Origin === "Japan"),
    );
    expect(report.reference.rows).toBe(254);
    expect(report.current.rows).toBe(79);
    for (const name of NUMERIC) {
      const f = report.features.find((x) => x.name === name)!;
      expect(f.test).toBe("ks"); // reference ≤ 1000 rows, > 5 distinct values
      expect(f.statistic).toBeCloseTo(scipy.origin.ks[name]!.statistic, 12);
      expect(Math.log(f.pValue!)).toBeCloseTo(Math.log(scipy.origin.ks[name]!.pValue), 6);
      expect(f.drifted).toBe(true);
    }
    // 3–8 cylinders: an integer column with ≤ 10 values is categorical → chi-square.
    expect(report.features.find((x) => x.name === "Cylinders")).toMatchObject({
      type: "categorical",
      test: "chisquare",
      drifted: true,
    });
    expect(report.drifted).toBe(true);
  });

  it("even vs odd rows of the file: nothing drifted; KS matches scipy", async () => {
    const report = await monitor(
      "cars-alternate",
      cars.filter((_, i) => i % 2 === 0),
      cars.filter((_, i) => i % 2 === 1),
    );
    for (const name of NUMERIC) {
      const f = report.features.find((x) => x.name === name)!;
      expect(f.pValue).toBeCloseTo(scipy.alternate.ks[name]!.pValue, 9);
    }
    expect(report.features.filter((f) => f.drifted)).toEqual([]);
    expect(report.drifted).toBe(false);
  });
});
