import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deleteExpiredAlertPayloads } from "../../src/alerts/retention.ts";
import { loadConfig } from "../../src/config.ts";
import { deleteInBatches } from "../../src/db/batched-delete.ts";
import { PREDICTION_RETENTION_JOB } from "../../src/predictions/jobs.ts";
import { deleteExpiredPredictions } from "../../src/predictions/retention.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describe("retention settings", () => {
  it("default 30 days; 0 keeps forever; anything else is a config error", () => {
    expect(loadConfig({}).VIGIL_PREDICTION_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ VIGIL_PREDICTION_RETENTION_DAYS: "0" }).VIGIL_PREDICTION_RETENTION_DAYS).toBe(0);
    expect(loadConfig({ VIGIL_ALERT_PAYLOAD_RETENTION_DAYS: "7" }).VIGIL_ALERT_PAYLOAD_RETENTION_DAYS).toBe(
      7,
    );
    expect(() => loadConfig({ VIGIL_PREDICTION_RETENTION_DAYS: "-1" })).toThrow(
      /VIGIL_PREDICTION_RETENTION_DAYS/,
    );
  });
});

describeEachDatabase("prediction and alert payload retention", (db) => {
  const t = useApp(db, { jobs: true });
  const day = 86_400_000;
  const now = Date.now();
  let seq = 0;
  const rows = (model: string, n: number, ageDays: number) =>
    Array.from({ length: n }, (_, i) => ({
      model,
      requestId: `r${seq++}`,
      timestamp: new Date(now - ageDays * day + i * 1000).toISOString(),
      features: { x: i },
      output: 1,
    }));
  const count = async (model: string) =>
    (
      await db.database.query<{ n: number }>(
        sql`select count(*)::int as n from predictions where project_id = ${t.projectId}::uuid and model = ${model}`,
      )
    )[0]!.n;

  it("deletes predictions older than the period in bounded batches, keeps the rest; 0 keeps everything", async () => {
    await t.post("/api/v1/predictions", [...rows("ra", 23, 40), ...rows("ra", 7, 10), ...rows("rb", 4, 31)]);
    // A label that never found its prediction, received long ago, and a fresh one.
    await t.post("/api/v1/labels", [
      { requestId: "never-old", label: 1 },
      { requestId: "never-new", label: 0 },
    ]);
    await db.database.query(
      sql`update prediction_labels set received_at = now() - interval '45 days'
          where project_id = ${t.projectId}::uuid and request_id = 'never-old'`,
    );
    expect(await deleteExpiredPredictions(db.database, 0)).toEqual({ predictions: 0, labels: 0 });
    expect(await count("ra")).toBe(30);

    // In statements of at most 5 rows (bounded: see the next test); a no-match is one statement.
    const probe = await deleteInBatches(db.database, "predictions", sql`false`, { batchSize: 5 });
    expect(probe).toEqual({ deleted: 0, batches: 1 });
    expect(await deleteExpiredPredictions(db.database, 30, { batchSize: 5 })).toEqual({
      predictions: 27,
      labels: 1,
    });
    expect(await count("ra")).toBe(7);
    expect(await count("rb")).toBe(0);
    const labels = await db.database.query<{ request_id: string }>(
      sql`select request_id from prediction_labels where project_id = ${t.projectId}::uuid`,
    );
    expect(labels.map((l) => l.request_id)).toEqual(["never-new"]);
  });

  it("deleteInBatches stops after maxBatches, each statement bounded by batchSize", async () => {
    await t.post("/api/v1/predictions", rows("rc", 12, 100));
    const r = await deleteInBatches(db.database, "predictions", sql`model = 'rc'`, {
      batchSize: 5,
      maxBatches: 2,
    });
    expect(r).toEqual({ deleted: 10, batches: 2 });
    expect(await count("rc")).toBe(2);
  });

  it("the daily pg-boss job applies the retention (here with a one-off period)", async () => {
    await t.post("/api/v1/predictions", [...rows("rd", 6, 3), ...rows("rd", 2, 1)]);
    expect(await count("rd")).toBe(8);
    await t.deps.jobs.send(PREDICTION_RETENTION_JOB, { retentionDays: 2 });
    let left = 8;
    for (let i = 0; i < 80 && left !== 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      left = await count("rd");
    }
    expect(left).toBe(2);
  });

  it("alert payloads older than their period are deleted; the incidents they opened stay", async () => {
    const alert = (title: string) => ({
      title,
      severity: "warning",
      source: "retention-test",
      status: "firing",
    });
    expect((await t.post("/api/v1/alerts/generic", alert("old disk"))).status).toBe(200);
    expect((await t.post("/api/v1/alerts/generic", alert("new disk"))).status).toBe(200);
    await db.database.query(
      sql`update alert_payloads set received_at = now() - interval '40 days'
          where project_id = ${t.projectId}::uuid and body like '%old disk%'`,
    );
    expect(await deleteExpiredAlertPayloads(db.database, 0)).toBe(0);
    expect(await deleteExpiredAlertPayloads(db.database, 30, { batchSize: 1 })).toBe(1);
    const left = await db.database.query<{ body: string }>(
      sql`select body from alert_payloads where project_id = ${t.projectId}::uuid`,
    );
    expect(left).toHaveLength(1);
    expect(left[0]!.body).toMatch(/new disk/);
    const incidents = await db.database.query<{ n: number }>(
      sql`select count(*)::int as n from incidents where project_id = ${t.projectId}::uuid and kind = 'alert'`,
    );
    expect(incidents[0]!.n).toBe(2);
  });
});
