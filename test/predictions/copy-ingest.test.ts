import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { ingestPredictions } from "../../src/predictions/ingest.ts";
import { PreparePiecePool } from "../../src/predictions/prepare-pool.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

type Result = { received: number; inserted: number; duplicates: number; flagged: number; labeled: number };

describeEachDatabase("predictions stored by COPY", (db) => {
  const t = useApp(db);
  const stored = (model: string) =>
    db.database.query<{
      request_id: string | null;
      model_version: string | null;
      features: unknown;
      output: unknown;
    }>(
      sql`select request_id, model_version, features, output from predictions
          where project_id = ${t.projectId}::uuid and model = ${model} order by id`,
    );

  it("text with tabs, newlines and backslashes is stored as sent", async () => {
    const odd = 'a\tb\nc\\d\r"e"\\N';
    const res = await t.post("/api/v1/predictions", [
      {
        model: "odd\tmodel",
        modelVersion: odd,
        requestId: odd,
        features: { [odd]: odd, n: null },
        output: { x: odd },
      },
    ]);
    expect(res.status).toBe(200);
    expect(await stored("odd\tmodel")).toEqual([
      { request_id: odd, model_version: odd, features: { [odd]: odd, n: null }, output: { x: odd } },
    ]);
  });

  it("a request id repeated in one request (across COPY groups) is stored once, the first", async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      model: "rep",
      requestId: `r-${i % 7000}`,
      features: { i },
    }));
    const res = (await (await t.post("/api/v1/predictions", rows)).json()) as Result;
    expect(res).toMatchObject({ received: 12_000, inserted: 7000, duplicates: 5000 });
    const [row] = await db.database.query<{ n: number; max: number }>(
      sql`select count(*)::int as n, max((features->>'i')::int)::int as max from predictions
          where project_id = ${t.projectId}::uuid and model = 'rep'`,
    );
    expect(row).toEqual({ n: 7000, max: 6999 });
  });

  it("a bad row after groups were already copied: 400, and none of the request is stored", async () => {
    const rows: unknown[] = Array.from({ length: 12_000 }, (_, i) => ({
      model: "late",
      requestId: i,
      features: { i },
    }));
    rows[11_500] = { model: "late", features: [] };
    const res = await t.post("/api/v1/predictions", rows);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/row 11500/);
    const malformed = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${rows
        .slice(0, 11_000)
        .map((r) => JSON.stringify(r))
        .join("\n")}\n{"model": "late", "features": {`,
    });
    expect(malformed.status).toBe(400);
    expect(await stored("late")).toEqual([]);
  });

  it("a retry that overlaps stored rows stores only the new ones, with labels sent earlier", async () => {
    await t.post("/api/v1/labels", [{ requestId: "ov-5", label: "yes" }]);
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => ({
        model: "ov",
        requestId: `ov-${from + k}`,
        features: { k },
      }));
    const first = (await (await t.post("/api/v1/predictions", rows(0, 3))).json()) as Result;
    expect(first).toMatchObject({ inserted: 3, labeled: 0 });
    const second = (await (await t.post("/api/v1/predictions", rows(0, 8))).json()) as Result;
    expect(second).toMatchObject({ received: 8, inserted: 5, duplicates: 3, labeled: 1 });
    const labels = await db.database.query<{ request_id: string; label: unknown }>(
      sql`select request_id, label from predictions where project_id = ${t.projectId}::uuid
          and model = 'ov' and label is not null`,
    );
    expect(labels).toEqual([{ request_id: "ov-5", label: "yes" }]);
  });

  it("prepared inline (no threads) or on threads, the same rows are stored", async () => {
    const { splitJsonValues } = await import("../../src/predictions/split-stream.ts");
    const body = (model: string) =>
      new Blob([
        Array.from({ length: 2500 }, (_, i) => JSON.stringify({ model, requestId: i, features: { i } })).join(
          "\n",
        ),
      ]).stream();
    const inline = await ingestPredictions(db.database.db, t.projectId, splitJsonValues(body("inl"), 1000), {
      pool: new PreparePiecePool(0),
    });
    const pool = new PreparePiecePool(2);
    try {
      const threaded = await ingestPredictions(
        db.database.db,
        t.projectId,
        splitJsonValues(body("thr"), 1000),
        {
          pool,
        },
      );
      expect(threaded).toEqual(inline);
    } finally {
      await pool.close();
    }
    const strip = (rows: { request_id: string | null; features: unknown }[]) =>
      rows.map((r) => [r.request_id, r.features]);
    expect(strip(await stored("thr"))).toEqual(strip(await stored("inl")));
    expect(inline.inserted).toBe(2500);
  });
});
