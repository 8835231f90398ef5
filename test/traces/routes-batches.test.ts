import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { spanBatches } from "../../src/db/schema/index.ts";
import { prepareExport } from "../../src/traces/prepare/export.ts";
import { BATCH_FORMAT } from "../../src/traces/store/copy-text.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { hexId, jsonRequest, span } from "./otlp-builders.ts";

describeEachDatabase("failed span batches (/api/v1/span-batches)", (db) => {
  const t = useApp(db);

  /** A batch the writer gave up on: writable spans, its attempts already at the writer's limit. */
  async function failedBatch(traceId: string, name: string): Promise<number> {
    const prepared = prepareExport({
      projectId: t.projectId,
      body: new TextEncoder().encode(JSON.stringify(jsonRequest([span({ traceId, name })]))),
      encoding: "json",
      limit: 1 << 24,
      nowMs: Date.now(),
      retentionDays: 7,
    });
    const b = prepared.batch!;
    const [row] = await db.database.db
      .insert(spanBatches)
      .values({
        projectId: t.projectId,
        spanCount: b.count,
        days: b.days,
        format: BATCH_FORMAT,
        rows: b.rows,
        resources: b.resources,
        derived: b.derived,
        attempts: t.spanWriter.attemptLimit,
        lastError: 'relation "spans_p20991231" does not exist',
        failedAt: new Date(),
      })
      .returning({ id: spanBatches.id });
    return Number(row!.id);
  }
  const stored = async (traceId: string) =>
    (
      await db.database.query<{ n: number }>(
        sql`select count(*)::int as n from spans where trace_id = ${traceId}`,
      )
    )[0]!.n;

  it("lists and shows what the writer gave up on; replay writes it, drop deletes it", async () => {
    const replayTrace = hexId(16);
    const dropTrace = hexId(16);
    const replayId = await failedBatch(replayTrace, "GET /replay\tme");
    const dropId = await failedBatch(dropTrace, "GET /drop");

    const list = (await (await t.request("/api/v1/span-batches")).json()) as { batches: { id: number }[] };
    expect(list.batches).toEqual([
      expect.objectContaining({
        id: replayId,
        spans: 1,
        lastError: expect.stringContaining("does not exist"),
      }),
      expect.objectContaining({ id: dropId, spans: 1 }),
    ]);
    const one = (await (await t.request(`/api/v1/span-batches/${replayId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(one.sample).toEqual([
      expect.objectContaining({ traceId: replayTrace, name: "GET /replay\tme", service: "checkout" }),
    ]);

    expect((await t.request(`/api/v1/span-batches/${replayId}/replay`, { method: "POST" })).status).toBe(202);
    await t.spansWritten();
    expect(await stored(replayTrace)).toBe(1);
    expect((await t.request(`/api/v1/span-batches/${replayId}`)).status).toBe(404);

    expect((await t.request(`/api/v1/span-batches/${dropId}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.request(`/api/v1/span-batches/${dropId}`, { method: "DELETE" })).status).toBe(404);
    await t.spansWritten();
    expect(await stored(dropTrace)).toBe(0);
    expect(await t.request("/api/v1/span-batches").then((r) => r.json())).toEqual({ batches: [] });
  });

  it("another project's key sees none of them and can neither replay nor drop them", async () => {
    const id = await failedBatch(hexId(16), "GET /mine");
    const other = await createApiKey(db.database.db, "other-project");
    const as = (path: string, method = "GET") =>
      t.app.request(path, { method, headers: { authorization: `Bearer ${other.key}` } });
    expect(await (await as("/api/v1/span-batches")).json()).toEqual({ batches: [] });
    expect((await as(`/api/v1/span-batches/${id}`)).status).toBe(404);
    expect((await as(`/api/v1/span-batches/${id}/replay`, "POST")).status).toBe(404);
    expect((await as(`/api/v1/span-batches/${id}`, "DELETE")).status).toBe(404);
    expect((await t.request(`/api/v1/span-batches/${id}`)).status).toBe(200);
    expect((await t.request("/api/v1/span-batches/not-a-number")).status).toBe(400);
  });

  it("the failed batches and their spans are gauges in /metrics", async () => {
    const deadline = Date.now() + 10_000;
    let text = "";
    // The writer recounts the queue on its poll (every 2 s).
    while (Date.now() < deadline) {
      text = await (await t.app.request("/metrics")).text();
      if (/^vigil_otlp_failed_batches [1-9]/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(/^vigil_otlp_failed_batches 1$/m);
    expect(text).toMatch(/^vigil_otlp_failed_spans 1$/m);
  });
});
