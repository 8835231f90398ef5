import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { checkContractBatchRules } from "../../src/predictions/batch-check.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

type Incident = {
  kind: string;
  fingerprint: string;
  title: string;
  count: number;
  sample: Record<string, unknown>;
};

describeEachDatabase("contracts and validation", (db) => {
  const t = useApp(db);
  const incidents = async (kind: string) =>
    db.database.query<Incident>(
      sql`select kind, fingerprint, title, count, sample from incidents
          where project_id = ${t.projectId}::uuid and kind = ${kind} order by first_seen`,
    );
  const now = Date.now();
  const rows = (model: string, n: number, make: (i: number) => Record<string, unknown>) =>
    Array.from({ length: n }, (_, i) => ({
      model,
      requestId: `${model}-${i}-${Math.random()}`,
      timestamp: new Date(now - 60_000 + i).toISOString(),
      features: make(i),
      output: 1,
    }));

  it("declares a contract; bad input is a 400; replacing bumps the version", async () => {
    const bad = await t.request("/api/v1/contracts/m1", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fields: { a: { type: "number", pattern: "(" } } }),
    });
    expect(bad.status).toBe(400);
    const badType = await t.request("/api/v1/contracts/m1", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fields: { a: { type: "float" } } }),
    });
    expect(badType.status).toBe(400);
    const badRows = await t.request("/api/v1/contracts/m1", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fields: {}, batch: { minRows: 10, maxRows: 5 } }),
    });
    expect(badRows.status).toBe(400);
    expect(await badRows.json()).toMatchObject({
      error: { message: "batch.minRows is above batch.maxRows" },
    });
    const put = (body: unknown) =>
      t.request("/api/v1/contracts/m1", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const contract = {
      fields: {
        age: { type: "integer", nullable: false, min: 0, max: 120 },
        plan: { type: "category", values: ["free", "pro"] },
        score: { type: "number" },
      },
      violationThreshold: 0.1,
    };
    const created = await put(contract);
    expect(created.status).toBe(201);
    expect(((await created.json()) as { version: number }).version).toBe(1);
    const replaced = await put(contract);
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as { version: number }).version).toBe(2);
    const list = (await (await t.request("/api/v1/contracts")).json()) as { contracts: { model: string }[] };
    expect(list.contracts.map((c) => c.model)).toContain("m1");
  });

  it("violating rows are stored and flagged, counted by field and rule; over threshold → validation incident", async () => {
    // 100 rows: 8 with age out of range, 5 with an unknown plan (3 of them also bad age) → 10 violating rows.
    const batch = rows("m1", 100, (i) => ({
      age: i < 8 ? 200 : 30,
      plan: i >= 5 && i < 10 ? "gold" : "free",
      score: 0.5,
    }));
    const res = await t.post("/api/v1/predictions", batch);
    const body = (await res.json()) as {
      inserted: number;
      flagged: number;
      violations: Record<string, number>;
    };
    expect(body.inserted).toBe(100);
    expect(body.flagged).toBe(10);
    expect(body.violations).toEqual({ "m1:age.max": 8, "m1:plan.values": 5 });
    const stored = await db.database.query<{ n: number; flagged: number }>(
      sql`select count(*)::int as n, count(*) filter (where flagged)::int as flagged from predictions
          where project_id = ${t.projectId}::uuid and model = 'm1'`,
    );
    expect(stored[0]).toEqual({ n: 100, flagged: 10 });
    // 10% is not over a 10% threshold.
    expect(await incidents("validation")).toHaveLength(0);
    await t.post(
      "/api/v1/predictions",
      rows("m1", 10, (i) => ({ age: i < 2 ? -1 : 1, plan: "pro", score: 1 })),
    );
    const opened = await incidents("validation");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.fingerprint).toBe("predictions:m1");
    expect(opened[0]!.sample).toMatchObject({ rows: 10, violatingRows: 2 });

    const v = await t.request("/api/v1/contracts/m1/violations");
    const stats = (await v.json()) as { rows: number; flagged: number; byRule: Record<string, number> };
    expect(stats).toMatchObject({
      rows: 110,
      flagged: 12,
      byRule: { "age.max": 8, "age.min": 2, "plan.values": 5 },
    });
  });

  it("new and vanished fields open a schema incident, once per distinct change", async () => {
    const changed = rows("m1", 20, () => ({ age: 30, plan: "free", score_v2: 0.4 }));
    const body = (await (await t.post("/api/v1/predictions", changed)).json()) as {
      schemaChanges: { newFields: string[]; vanishedFields: string[] };
    };
    expect(body.schemaChanges).toEqual({ newFields: ["m1:score_v2"], vanishedFields: ["m1:score"] });
    await t.post(
      "/api/v1/predictions",
      rows("m1", 20, () => ({ age: 30, plan: "free", score_v2: 0.4 })),
    );
    const found = await incidents("schema");
    expect(found).toHaveLength(1);
    expect(found[0]!.count).toBe(2);
    expect(found[0]!.title).toMatch(/new fields score_v2; vanished fields score/);
  });

  it("infers a contract from a reference window, then validates against it", async () => {
    await t.post(
      "/api/v1/predictions",
      rows("m2", 200, (i) => ({ x: i / 10, color: ["red", "blue"][i % 2], n: i % 5 })),
    );
    const preview = await t.post("/api/v1/contracts/m2/infer", {});
    const p = (await preview.json()) as {
      rows: number;
      contract: { fields: Record<string, { type: string }> };
    };
    expect(p.rows).toBe(200);
    expect(p.contract.fields.color).toEqual({ type: "category", nullable: false, values: ["blue", "red"] });
    expect((await t.request("/api/v1/contracts/m2")).status).toBe(404);
    const saved = await t.post("/api/v1/contracts/m2/infer", { save: true });
    expect(((await saved.json()) as { contract: { origin: string } }).contract.origin).toBe("inferred");
    const r = await t.post(
      "/api/v1/predictions",
      rows("m2", 4, () => ({ x: 1, color: "green", n: 2 })),
    );
    expect(((await r.json()) as { flagged: number }).flagged).toBe(4);
    expect((await t.post("/api/v1/contracts/nothing/infer", {})).status).toBe(422);
  });

  it("deletes a contract", async () => {
    expect((await t.request("/api/v1/contracts/m2", { method: "DELETE" })).status).toBe(204);
    expect((await t.request("/api/v1/contracts/m2", { method: "DELETE" })).status).toBe(404);
  });
});

describeEachDatabase("contract batch rules", (db) => {
  const t = useApp(db);
  it("a stale or thin model opens a validation incident; fresh data resolves it", async () => {
    const put = await t.request("/api/v1/contracts/batchy", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        fields: { x: { type: "number" } },
        batch: { minRows: 5, windowSeconds: 3600, freshnessSeconds: 600 },
      }),
    });
    expect(put.status).toBe(201);
    const now = new Date();
    const old = new Date(now.getTime() - 7200_000).toISOString();
    await t.post("/api/v1/predictions", [{ model: "batchy", timestamp: old, features: { x: 1 } }]);
    expect(await checkContractBatchRules(db.database.db, now)).toEqual({ checked: 1, failing: 1 });
    const status = async () =>
      (
        await db.database.query<{ status: string; title: string }>(
          sql`select status, title from incidents where project_id = ${t.projectId}::uuid and fingerprint = 'predictions:batchy:batch'`,
        )
      )[0];
    expect(await status()).toMatchObject({
      status: "open",
      title: expect.stringMatching(/0 rows in the last 3600s \(min 5\)/),
    });
    const fresh = Array.from({ length: 5 }, (_, i) => ({
      model: "batchy",
      timestamp: new Date(now.getTime() - 60_000 + i).toISOString(),
      features: { x: i },
    }));
    await t.post("/api/v1/predictions", fresh);
    expect(await checkContractBatchRules(db.database.db, now)).toEqual({ checked: 1, failing: 0 });
    expect((await status())!.status).toBe("resolved");
    const v = (await (await t.request("/api/v1/contracts/batchy/violations")).json()) as {
      batch: { ok: boolean }[];
    };
    expect(v.batch.every((b) => b.ok)).toBe(true);
  });
});
