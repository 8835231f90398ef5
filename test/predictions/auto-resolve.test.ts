import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkContractBatchRules } from "../../src/predictions/batch-check.ts";
import { schemaChangeSettled } from "../../src/predictions/contract-check.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describe("schemaChangeSettled", () => {
  const contract = new Set(["a", "b"]);
  it("new fields settle once the contract has them", () => {
    expect(schemaChangeSettled({ newFields: ["c"], vanishedFields: [] }, contract)).toBe(false);
    expect(schemaChangeSettled({ newFields: ["a"], vanishedFields: [] }, contract)).toBe(true);
  });
  it("vanished fields settle when they are back in the data or out of the contract", () => {
    expect(schemaChangeSettled({ vanishedFields: ["b"] }, contract)).toBe(false);
    expect(schemaChangeSettled({ vanishedFields: ["b"] }, contract, new Set(["b"]))).toBe(true);
    expect(schemaChangeSettled({ vanishedFields: ["z"] }, contract)).toBe(true);
    // Both halves must hold.
    expect(schemaChangeSettled({ newFields: ["c"], vanishedFields: ["z"] }, contract)).toBe(false);
  });
});

describeEachDatabase("validation and schema incidents resolve themselves", (db) => {
  const t = useApp(db);
  const incident = async (kind: string, like: string) =>
    db.database.query<{ status: string; fingerprint: string; count: number }>(
      sql`select status, fingerprint, count from incidents
          where project_id = ${t.projectId}::uuid and kind = ${kind} and fingerprint like ${like}
          order by first_seen`,
    );
  const events = async (fingerprint: string) =>
    (
      await db.database.query<{ type: string; message: string | null }>(
        sql`select e.type, e.message from incident_events e join incidents i on i.id = e.incident_id
            where i.project_id = ${t.projectId}::uuid and i.fingerprint = ${fingerprint} order by e.id`,
      )
    ).map((e) => e.type);
  const put = (model: string, body: unknown) =>
    t.request(`/api/v1/contracts/${model}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let seq = 0;
  const rows = (model: string, n: number, make: (i: number) => Record<string, unknown>) =>
    Array.from({ length: n }, (_, i) => ({
      model,
      requestId: `${model}-${seq++}`,
      features: make(i),
      output: 1,
    }));

  it("a batch over the threshold opens it; a small clean batch does not resolve it; a clean batch of 10+ rows does; a new breach reopens it", async () => {
    expect(
      (await put("v1", { fields: { x: { type: "number", max: 10 } }, violationThreshold: 0.1 })).status,
    ).toBe(201);
    await t.post(
      "/api/v1/predictions",
      rows("v1", 20, (i) => ({ x: i < 5 ? 99 : 1 })),
    );
    expect(await incident("validation", "predictions:v1")).toMatchObject([{ status: "open" }]);
    // 5 clean rows: too few to call the contract healthy again.
    await t.post(
      "/api/v1/predictions",
      rows("v1", 5, () => ({ x: 1 })),
    );
    expect(await incident("validation", "predictions:v1")).toMatchObject([{ status: "open" }]);
    // 20 rows at 5% (≤ 10%): resolved.
    await t.post(
      "/api/v1/predictions",
      rows("v1", 20, (i) => ({ x: i === 0 ? 99 : 1 })),
    );
    expect(await incident("validation", "predictions:v1")).toMatchObject([{ status: "resolved" }]);
    expect(await events("predictions:v1")).toEqual(["opened", "resolved"]);
    await t.post(
      "/api/v1/predictions",
      rows("v1", 10, () => ({ x: 50 })),
    );
    expect(await incident("validation", "predictions:v1")).toMatchObject([{ status: "open", count: 2 }]);
    expect(await events("predictions:v1")).toEqual(["opened", "resolved", "reopened"]);
  });

  it("a new field's schema incident resolves when the contract adds the field", async () => {
    await put("s1", { fields: { a: { type: "number" }, b: { type: "string" } } });
    const r = await t.post(
      "/api/v1/predictions",
      rows("s1", 12, () => ({ a: 1, b: "x", c: true })),
    );
    expect(((await r.json()) as { schemaChanges: unknown }).schemaChanges).toEqual({
      newFields: ["s1:c"],
      vanishedFields: [],
    });
    expect(await incident("schema", "predictions:s1:%")).toMatchObject([{ status: "open" }]);
    // Same data again: still open (the contract has not caught up).
    await t.post(
      "/api/v1/predictions",
      rows("s1", 12, () => ({ a: 1, b: "x", c: true })),
    );
    expect(await incident("schema", "predictions:s1:%")).toMatchObject([{ status: "open", count: 2 }]);
    // A contract update that does not name c leaves it open; one that does resolves it.
    await put("s1", { fields: { a: { type: "number" }, b: { type: "string" } }, violationThreshold: 0.2 });
    expect(await incident("schema", "predictions:s1:%")).toMatchObject([{ status: "open" }]);
    await put("s1", { fields: { a: { type: "number" }, b: { type: "string" }, c: { type: "boolean" } } });
    expect(await incident("schema", "predictions:s1:%")).toMatchObject([{ status: "resolved" }]);
  });

  it("a vanished field's schema incident resolves when the field is back, or when the contract drops it", async () => {
    await put("s2", { fields: { a: { type: "number" }, b: { type: "string" } } });
    await put("s2x", { fields: { a: { type: "number" }, b: { type: "string" } } });
    await t.post(
      "/api/v1/predictions",
      rows("s2", 12, () => ({ a: 1 })),
    );
    await t.post(
      "/api/v1/predictions",
      rows("s2x", 12, () => ({ a: 1 })),
    );
    expect(await incident("schema", "predictions:s2:%")).toMatchObject([{ status: "open" }]);
    expect(await incident("schema", "predictions:s2x:%")).toMatchObject([{ status: "open" }]);
    // s2: the field comes back upstream.
    await t.post(
      "/api/v1/predictions",
      rows("s2", 12, () => ({ a: 1, b: "y" })),
    );
    expect(await incident("schema", "predictions:s2:%")).toMatchObject([{ status: "resolved" }]);
    // s2x: the contract drops it (and s2's prefix did not touch s2x's incident before that).
    expect(await incident("schema", "predictions:s2x:%")).toMatchObject([{ status: "open" }]);
    await put("s2x", { fields: { a: { type: "number" } } });
    expect(await incident("schema", "predictions:s2x:%")).toMatchObject([{ status: "resolved" }]);
  });

  it("a contract without batch rules any more resolves the scheduled batch incident", async () => {
    await put("b1", { fields: { a: { type: "number" } }, batch: { minRows: 1000 } });
    await t.post(
      "/api/v1/predictions",
      rows("b1", 3, () => ({ a: 1 })),
    );
    await checkContractBatchRules(db.database.db);
    expect(await incident("validation", "predictions:b1:batch")).toMatchObject([{ status: "open" }]);
    await put("b1", { fields: { a: { type: "number" } } });
    expect(await incident("validation", "predictions:b1:batch")).toMatchObject([{ status: "resolved" }]);
  });

  it("deleting the contract resolves its model's schema incidents", async () => {
    await put("s3", { fields: { a: { type: "number" } } });
    await t.post(
      "/api/v1/predictions",
      rows("s3", 12, () => ({ a: 1, extra: 2 })),
    );
    expect(await incident("schema", "predictions:s3:%")).toMatchObject([{ status: "open" }]);
    // Its validation incident too: no batch would ever be checked against the contract again.
    await t.post(
      "/api/v1/predictions",
      rows("s3", 12, () => ({ a: "not a number", extra: 2 })),
    );
    expect(await incident("validation", "predictions:s3")).toMatchObject([{ status: "open" }]);
    expect((await t.request("/api/v1/contracts/s3", { method: "DELETE" })).status).toBe(204);
    expect(await incident("schema", "predictions:s3:%")).toMatchObject([{ status: "resolved" }]);
    expect(await incident("validation", "predictions:s3")).toMatchObject([{ status: "resolved" }]);
  });
});
