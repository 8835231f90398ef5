import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { STATUS_OF } from "../../src/http/errors.ts";
import type { DomainError } from "../../src/lib/errors.ts";
import { ingestPredictions } from "../../src/predictions/ingest.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

type Result = {
  received: number;
  inserted: number;
  duplicates: number;
  flagged: number;
  labeled: number;
  violations: Record<string, number>;
  schemaChanges?: { newFields: string[]; vanishedFields: string[] };
};

const row = (i: number, model = "churn", extra: Record<string, unknown> = {}) => ({
  model,
  modelVersion: "v1",
  timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  requestId: `${model}-${i}`,
  features: {
    age: 20 + (i % 50),
    plan: i % 3 === 0 ? "pro" : "free",
    active: i % 2 === 0,
    emb: [i % 7, 1, 0],
  },
  output: (i % 10) / 10,
  ...extra,
});

describeEachDatabase("predictions ingest", (db) => {
  const t = useApp(db);
  const count = async (model: string) => {
    const rows = await db.database.query<{ n: number }>(
      sql`select count(*)::int as n from predictions where project_id = ${t.projectId}::uuid and model = ${model}`,
    );
    return rows[0]!.n;
  };
  const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

  it("stores a JSON array in batches: rows in = rows stored", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(i, "arr"));
    const res = await t.post("/api/v1/predictions", rows);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Result;
    expect(body).toMatchObject({ received: 2500, inserted: 2500, duplicates: 0, flagged: 0 });
    expect(await count("arr")).toBe(2500);
  });

  it("NDJSON; a retried request does not duplicate; rows without requestId are always new", async () => {
    const rows = [...Array.from({ length: 30 }, (_, i) => row(i, "nd")), { model: "nd", features: { x: 1 } }];
    const send = () =>
      t.request("/api/v1/predictions", {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${ndjson(rows)}\n`,
      });
    const first = (await (await send()).json()) as Result;
    expect(first).toMatchObject({ received: 31, inserted: 31, duplicates: 0 });
    const again = (await (await send()).json()) as Result;
    expect(again).toMatchObject({ received: 31, inserted: 1, duplicates: 30 });
    expect(await count("nd")).toBe(32);
  });

  it("accepts gzip bodies", async () => {
    const body = gzipSync(Buffer.from(JSON.stringify([row(1, "gz"), row(2, "gz")])));
    const res = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body,
    });
    expect(res.status).toBe(200);
    expect(await count("gz")).toBe(2);
  });

  it("gzip inflating past VIGIL_BODY_LIMIT is a 413 when the limit is reached; nothing is stored", async () => {
    const limit = t.deps.config.VIGIL_BODY_LIMIT;
    // A full insert batch before the padding: the 413 comes mid-request and rolls that back too.
    const rows = Array.from({ length: 1500 }, (_, i) => JSON.stringify(row(i, "gzbomb")));
    const json = `[${rows.join(",")},${" ".repeat(limit)}${JSON.stringify(row(9999, "gzbomb"))}]`;
    const body = gzipSync(json);
    expect(body.length).toBeLessThan(limit / 100); // the app's body limit sees only these bytes
    const res = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "payload_too_large", message: `Decompressed body exceeds ${limit} bytes` },
    });
    expect(await count("gzbomb")).toBe(0);

    const br = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "br" },
      body: "[]",
    });
    expect(br.status).toBe(415);
    expect(((await br.json()) as { error: { code: string } }).error.code).toBe("unsupported_encoding");
    const bad = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: "[not gzip]",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid gzip/);
  });

  it("a malformed row is a 400 naming the row, and nothing of the request is stored", async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => row(i, "bad"));
    rows[1200] = { ...rows[1200]!, features: "not an object" as never };
    const res = await t.post("/api/v1/predictions", rows);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { rows: { row: number }[] } };
    };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toMatch(/row 1200/);
    expect(body.error.details.rows[0]!.row).toBe(1200);
    expect(await count("bad")).toBe(0);
  });

  it("malformed JSON is a 400; an empty array stores nothing", async () => {
    const res = await t.request("/api/v1/predictions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `[${JSON.stringify(row(1, "broken"))}, {"model": "broken", "features": {`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Malformed JSON/);
    expect(await count("broken")).toBe(0);
    const empty = await t.post("/api/v1/predictions", []);
    expect(((await empty.json()) as Result).received).toBe(0);
  });

  it("past the row limit: 413, nothing stored", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => row(i, "limit"));
    const error = await ingestPredictions(db.database.db, t.projectId, [rows], { maxRows: 40 }).catch(
      (e: DomainError) => e,
    );
    expect(STATUS_OF[(error as DomainError).kind]).toBe(413); // as the API answers it
    expect(await count("limit")).toBe(0);
  });

  it("labels join by requestId, whether they come before or after the prediction", async () => {
    const early = await t.post("/api/v1/labels", [
      { requestId: "lab-1", label: 1 },
      { model: "lab", requestId: "lab-2", label: 0 },
      { model: "other", requestId: "lab-3", label: 1 },
    ]);
    expect(await early.json()).toEqual({ received: 3, matched: 0 });
    const rows = [1, 2, 3, 4].map((i) => ({
      model: "lab",
      requestId: `lab-${i}`,
      features: { x: i },
      output: 0.5,
    }));
    const res = (await (await t.post("/api/v1/predictions", rows)).json()) as Result;
    expect(res.labeled).toBe(2); // lab-3's label is for another model; lab-4 has none yet
    const late = await t.post("/api/v1/labels", { model: "lab", requestId: "lab-4", label: 1 });
    expect(await late.json()).toEqual({ received: 1, matched: 1 });
    const stored = await db.database.query<{ request_id: string; label: unknown }>(
      sql`select request_id, label from predictions where project_id = ${t.projectId}::uuid and model = 'lab' order by request_id`,
    );
    expect(stored.map((r) => r.label)).toEqual([1, 0, null, 1]);
    const bad = await t.post("/api/v1/labels", [{ label: 1 }]);
    expect(bad.status).toBe(400);
  });
});
