import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { rng, syntheticRow } from "../../../bench/predictions-synthetic.ts";
import { DUE_JOB, RUN_JOB } from "../../../src/drift/monitors/jobs.ts";
import type { Report } from "../../../src/drift/monitors/model.ts";
import { claimDueMonitors } from "../../../src/drift/monitors/store.ts";
import { ingestPredictions } from "../../../src/predictions/ingest.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

const HOUR = 3_600_000;
const now = Date.now();
const weekStart = new Date(now - 8 * 24 * HOUR);
const weekEnd = new Date(now - 24 * HOUR);

describeEachDatabase("drift monitors", (db) => {
  const t = useApp(db, { jobs: true });

  /** n rows spread over [from, to) for `model`, with labels when `labels`. */
  async function seed(
    model: string,
    n: number,
    from: Date,
    to: Date,
    opts: { seed: number; shift?: boolean; version?: string },
  ) {
    const r = rng(opts.seed);
    const rows = Array.from({ length: n }, (_, i) => {
      const s = syntheticRow(r, { seed: opts.seed, shift: opts.shift, embeddingDim: 4 });
      return {
        model,
        modelVersion: opts.version ?? "v1",
        requestId: `${model}-${opts.seed}-${i}`,
        timestamp: new Date(from.getTime() + ((to.getTime() - from.getTime()) * i) / n).toISOString(),
        ...s,
      };
    });
    await ingestPredictions(db.database.db, t.projectId, [rows]);
  }
  const createMonitor = async (body: Record<string, unknown>) => {
    const res = await t.post("/api/v1/monitors", body);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const run = async (id: string) => {
    const res = await t.request(`/api/v1/monitors/${id}/run`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Report;
  };
  const driftIncident = async (monitorId: string) =>
    (
      await db.database.query<{ status: string; count: number }>(
        sql`select status, count from incidents where project_id = ${t.projectId}::uuid and kind = 'drift'
            and fingerprint = ${`monitor:${monitorId}`}`,
      )
    )[0];

  let driftId = "";

  it("a reference week vs a current hour with a shifted feature and a new category flags exactly those", async () => {
    await seed("churn", 2100, weekStart, weekEnd, { seed: 1 });
    await seed("churn", 600, new Date(now - 50 * 60_000), new Date(now - 60_000), { seed: 2, shift: true });
    driftId = await createMonitor({
      name: "churn-drift",
      model: "churn",
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "window", seconds: 3600 },
      options: { datasetDriftShare: 0.3 },
      retrainPolicy: { repo: "acme/churn", workflow: "retrain.yml", cooldownSeconds: 3600 },
    });
    const report = await run(driftId);
    expect(report.status).toBe("ok");
    expect(report.reference.rows).toBe(2100);
    expect(report.current.rows).toBe(600);
    const flagged = report.features.filter((f) => f.drifted).map((f) => f.name);
    expect(flagged.sort()).toEqual(["age", "plan"]);
    expect(report.features.map((f) => f.name).sort()).toEqual([
      "active",
      "age",
      "income",
      "plan",
      "sessions",
    ]);
    const plan = report.features.find((f) => f.name === "plan")!;
    expect(plan).toMatchObject({ type: "categorical", test: "jensenshannon" });
    expect(report.features.find((f) => f.name === "age")).toMatchObject({
      type: "numerical",
      test: "wasserstein",
    });
    expect(report.embeddings).toHaveLength(1);
    expect(report.embeddings![0]).toMatchObject({
      name: "emb",
      dimension: 4,
      drifted: false,
      method: "mmd",
      // A reference week has more than the 500 vectors the MMD test compares: it says it sampled.
      mmd: { kernel: "rbf", referenceSize: 500, sampled: true },
    });
    expect(report.embeddings![0]!.pValue).toBeGreaterThanOrEqual(0.05);
    expect(report.drifted).toBe(true); // 2 of 6 ≥ 0.3
    expect(report.prediction).toMatchObject({ name: "prediction", drifted: true }); // the score follows age
    expect(report.sampling).toBeNull();
    // labels exist in both windows → performance against the reference's
    expect(report.performance).toMatchObject({ task: "classification", metric: "f1" });
    expect(
      (report.performance as { current: { metrics: Record<string, number> } }).current.metrics.rocAuc,
    ).toBeGreaterThan(0.5);
    expect(await driftIncident(driftId)).toMatchObject({ status: "open", count: 1 });
    expect(report.reference.cachedAt).toBeNull();
    // The reference range is closed: the second run reads its side from the monitor's cache.
    const second = await run(driftId);
    expect(second.reference.cachedAt).toEqual(expect.any(String));
    expect(second.features).toEqual(report.features);
    expect(second.performance).toEqual(report.performance);
    expect(await driftIncident(driftId)).toMatchObject({ status: "open", count: 2 });
    const stored = await t.request(`/api/v1/monitors/${driftId}`);
    expect(((await stored.json()) as { retrainPolicy: { repo: string } }).retrainPolicy.repo).toBe(
      "acme/churn",
    );
  });

  it("a clean window flags nothing; a clean report resolves the monitor's drift incident", async () => {
    await seed("clean", 2100, weekStart, weekEnd, { seed: 3 });
    await seed("clean", 600, new Date(now - 50 * 60_000), new Date(now - 60_000), { seed: 4 });
    const id = await createMonitor({
      name: "clean-drift",
      model: "clean",
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "window", seconds: 3600 },
    });
    const report = await run(id);
    expect(report.features.filter((f) => f.drifted)).toEqual([]);
    expect(report.drifted).toBe(false);
    expect(await driftIncident(id)).toBeUndefined();

    // Narrow the drifted monitor to unshifted features: its next report is clean → resolved.
    const put = await t.request(`/api/v1/monitors/${driftId}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "churn-drift",
        model: "churn",
        features: ["income", "sessions", "active"],
        reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
        current: { kind: "window", seconds: 3600 },
      }),
    });
    expect(put.status).toBe(200);
    const clean = await run(driftId);
    expect(clean.drifted).toBe(false);
    expect(await driftIncident(driftId)).toMatchObject({ status: "resolved" });
  });

  it("past the sample cap the numerical tests run on a seeded sample, the same on every run, and say so", async () => {
    const id = await createMonitor({
      name: "sampled",
      model: "churn",
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "rows", last: 600 },
      options: { sampleCap: 400, seed: 7 },
    });
    const a = await run(id);
    const b = await run(id);
    expect(a.sampling).toMatchObject({ seed: 7, cap: 400, reference: { rows: 2100, sampled: 400 } });
    expect(a.features.find((f) => f.name === "age")!.sampled).toBe(true);
    expect(a.features.find((f) => f.name === "plan")!.sampled).toBe(false); // counts cover every row
    expect(a.features.find((f) => f.name === "plan")!.referenceSize).toBe(2100);
    expect(b.features).toEqual(a.features);
    expect(
      a.features
        .filter((f) => f.drifted)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["age", "plan"]);
  });

  it("a model version or uploaded rows as the reference; too little data → insufficient_data", async () => {
    await seed("versioned", 300, weekStart, weekEnd, { seed: 5, version: "v7" });
    const byVersion = await createMonitor({
      name: "by-version",
      model: "versioned",
      reference: { kind: "version", version: "v7" },
      current: { kind: "window", seconds: 3600 },
    });
    const empty = await run(byVersion);
    expect(empty.status).toBe("insufficient_data");
    expect(empty.current.rows).toBe(0);

    const r = rng(9);
    const rows = Array.from({ length: 500 }, () => {
      const s = syntheticRow(r, { seed: 9 });
      return { features: s.features, output: s.output };
    });
    const uploaded = await createMonitor({
      name: "uploaded",
      model: "churn",
      reference: { kind: "rows", rows },
      current: { kind: "rows", last: 600 },
    });
    const report = await run(uploaded);
    expect(report.reference.rows).toBe(500);
    expect(
      report.features
        .filter((f) => f.drifted)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["age", "plan"]);
  });

  it("bad input: 400s and 404s, duplicate names 409", async () => {
    const bad = await t.post("/api/v1/monitors", {
      name: "x",
      model: "m",
      reference: { kind: "range", from: "yesterday" },
    });
    expect(bad.status).toBe(400);
    const backwards = await t.post("/api/v1/monitors", {
      name: "x",
      model: "m",
      reference: { kind: "range", from: weekEnd.toISOString(), to: weekStart.toISOString() },
    });
    expect(backwards.status).toBe(400);
    const dup = await t.post("/api/v1/monitors", {
      name: "clean-drift",
      model: "m",
      reference: { kind: "version", version: "v1" },
    });
    expect(dup.status).toBe(409);
    expect((await t.request("/api/v1/monitors/not-a-uuid/run", { method: "POST" })).status).toBe(400);
    expect(
      (await t.request("/api/v1/monitors/00000000-0000-4000-8000-000000000000/run", { method: "POST" }))
        .status,
    ).toBe(404);
  });

  it("reports are listed; the newest ones are Prometheus gauges", async () => {
    const list = await t.request(`/api/v1/reports?monitorId=${driftId}&limit=10`);
    const { reports } = (await list.json()) as { reports: Report[] };
    expect(reports.length).toBe(3);
    expect(reports[0]!.drifted).toBe(false);
    const one = await t.request(`/api/v1/reports/${reports[2]!.id}`);
    expect(((await one.json()) as Report).drifted).toBe(true);
    const metrics = await (await t.app.request("/metrics/drift")).text();
    expect(metrics).toMatch(
      /vigil_drift_detected\{project="[^"]+",model="churn",monitor="sampled",feature="age"\} 1/,
    );
    expect(metrics).toMatch(/vigil_drift_score\{[^}]*monitor="clean-drift",feature="income"\} [0-9.e-]+/);
    expect(metrics).toMatch(/vigil_drift_share\{[^}]*monitor="churn-drift"\} 0/);
  });

  it("the scheduler claims due monitors once and the run job writes a report", async () => {
    const id = await createMonitor({
      name: "scheduled",
      model: "clean",
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "window", seconds: 3600 },
      scheduleSeconds: 3600,
    });
    await db.database.query(
      sql`update monitors set next_run_at = now() - interval '1 minute' where id = ${id}::uuid`,
    );
    const claimed = await claimDueMonitors(db.database.db);
    expect(claimed.map((c) => c.id)).toContain(id);
    expect((await claimDueMonitors(db.database.db)).map((c) => c.id)).not.toContain(id);
    await t.deps.jobs.send(RUN_JOB, { projectId: t.projectId, monitorId: id });
    let reports: Report[] = [];
    for (let i = 0; i < 60 && reports.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      reports = ((await (await t.request(`/api/v1/reports?monitorId=${id}`)).json()) as { reports: Report[] })
        .reports;
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]!.trigger).toBe("schedule");
    expect(DUE_JOB).toBeTruthy();
  });
});
