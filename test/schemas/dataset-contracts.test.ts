import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkDatasetFreshness, outputRowCount } from "../../src/schemas/contracts/enforce.ts";
import type { FieldRule } from "../../src/schemas/contracts/rules.ts";
import { checkSchema, typeCompatible } from "../../src/schemas/contracts/schema-check.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const rule = (type: FieldRule["type"], nullable = true): FieldRule => ({ type, nullable });

describe("dataset contract vs a schema (pure)", () => {
  it("maps canonical types onto contract types", () => {
    expect(typeCompatible("integer", "int64")).toBe(true);
    expect(typeCompatible("integer", "decimal(10,0)")).toBe(true);
    expect(typeCompatible("integer", "decimal(10,2)")).toBe(false);
    expect(typeCompatible("integer", "float64")).toBe(false);
    expect(typeCompatible("number", "decimal(12,2)")).toBe(true);
    expect(typeCompatible("number", "string")).toBe(false);
    expect(typeCompatible("string", "varchar(20)")).toBe(true);
    expect(typeCompatible("string", "int32")).toBe(false);
    expect(typeCompatible("boolean", "boolean")).toBe(true);
    expect(typeCompatible("category", "int16")).toBe(true);
    expect(typeCompatible("category", "float64")).toBe(false);
    expect(typeCompatible("vector", "array<float32>")).toBe(true);
    expect(typeCompatible("vector", "array<string>")).toBe(false);
    expect(typeCompatible("vector", "float32")).toBe(false);
    // A json column can hold anything: the schema cannot say the contract is broken.
    expect(typeCompatible("integer", "json")).toBe(true);
  });

  it("reports absent fields, incompatible types and nullability, nested fields by dotted path", () => {
    const schema = {
      fields: [
        { name: "id", type: "int64", nullable: false },
        { name: "amount", type: "string", nullable: true },
        {
          name: "address",
          type: "struct",
          nullable: true,
          fields: [{ name: "city", type: "varchar", nullable: true }],
        },
      ],
    };
    expect(checkSchema({ id: rule("integer", false), "address.city": rule("string") }, schema)).toEqual([]);
    expect(
      checkSchema(
        {
          id: rule("integer", false),
          amount: rule("number", false),
          status: rule("category"),
          "address.city": rule("string", false),
          "address.zip": rule("string"),
        },
        schema,
      ),
    ).toEqual([
      { field: "amount", rule: "type", message: "expected number, the schema has string" },
      { field: "amount", rule: "nullable", message: "nullable in the schema, required by the contract" },
      { field: "status", rule: "present", message: "not in the schema" },
      {
        field: "address.city",
        rule: "nullable",
        message: "nullable in the schema, required by the contract",
      },
      { field: "address.zip", rule: "present", message: "not in the schema" },
    ]);
    // A form without nullability (OpenLineage's facet): only presence and type are judged.
    expect(checkSchema({ amount: rule("number", false) }, schema, { knowsNulls: false })).toEqual([
      { field: "amount", rule: "type", message: "expected number, the schema has string" },
    ]);
  });

  it("reads OpenLineage outputStatistics.rowCount from the output facets (or the facets)", () => {
    expect(outputRowCount({ outputFacets: { outputStatistics: { rowCount: 42, size: 10 } } })).toBe(42);
    expect(outputRowCount({ facets: { outputStatistics: { rowCount: 7 } } })).toBe(7);
    expect(outputRowCount({ outputFacets: { outputStatistics: { rowCount: "7" } } })).toBeUndefined();
    expect(outputRowCount({ name: "x" })).toBeUndefined();
  });
});

type Json = Record<string, unknown>;

describeEachDatabase("dataset contracts", (db) => {
  const t = useApp(db);
  const put = (path: string, body: unknown) =>
    t.request(path, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const incident = async (fingerprint: string) =>
    (
      await db.database.query<{ status: string; title: string; count: number; latest: Json }>(
        sql`select status, title, count, latest from incidents
            where project_id = ${t.projectId}::uuid and kind = 'validation' and fingerprint = ${fingerprint}`,
      )
    )[0];
  const contract = {
    fields: {
      id: { type: "integer", nullable: false },
      amount: { type: "number" },
      status: { type: "category", values: ["new", "paid"] },
    },
    batch: { minRows: 10, maxRows: 1000, freshnessSeconds: 3600 },
  };
  const run = (
    eventType: string,
    eventTime: Date,
    output: { name: string; rows?: number; fields?: { name: string; type: string }[] },
  ) => ({
    eventType,
    eventTime: eventTime.toISOString(),
    producer: "https://example.com/test",
    schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    run: { runId: crypto.randomUUID() },
    job: { namespace: "etl", name: "load_orders" },
    inputs: [],
    outputs: [
      {
        namespace: "warehouse",
        name: output.name,
        facets: output.fields ? { schema: { fields: output.fields } } : {},
        outputFacets: output.rows === undefined ? {} : { outputStatistics: { rowCount: output.rows } },
      },
    ],
  });

  it("PUT/GET/DELETE /api/v1/datasets/{name}/contract; bad rules are 400; listed with the model contracts", async () => {
    expect(
      (await put("/api/v1/datasets/orders/contract", { fields: { id: { type: "float" } } })).status,
    ).toBe(400);
    expect(
      (await put("/api/v1/datasets/orders/contract", { fields: { id: { type: "number", min: 3, max: 1 } } }))
        .status,
    ).toBe(400);
    expect(
      (await put("/api/v1/datasets/orders/contract", { fields: {}, batch: { windowSeconds: 60 } })).status,
    ).toBe(400);
    expect(
      (await put("/api/v1/datasets/orders/contract", { fields: {}, batch: { minRows: 10, maxRows: 5 } }))
        .status,
    ).toBe(400);
    const created = await put("/api/v1/datasets/orders/contract", contract);
    expect(created.status).toBe(201);
    const createdBody = (await created.json()) as Json;
    // Vigil has no schema of `orders` yet: nothing to judge.
    expect(createdBody.schemaCheck).toBeUndefined();
    expect(createdBody).toMatchObject({
      dataset: "orders",
      namespace: "default",
      version: 1,
      lastWrittenAt: null,
      batch: contract.batch,
    });
    const again = await put("/api/v1/datasets/orders/contract", contract);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).version).toBe(2);
    expect((await t.request("/api/v1/datasets/orders/contract?namespace=other")).status).toBe(404);
    const got = (await (await t.request("/api/v1/datasets/orders/contract")).json()) as Json;
    expect(got.fields).toMatchObject(contract.fields);
    const list = (await (await t.request("/api/v1/contracts")).json()) as { datasets: Json[] };
    expect(list.datasets.map((d) => d.dataset)).toEqual(["orders"]);
    expect((await put("/api/v1/datasets/tmp/contract", { fields: {} })).status).toBe(201);
    expect((await t.request("/api/v1/datasets/tmp/contract", { method: "DELETE" })).status).toBe(204);
    expect((await t.request("/api/v1/datasets/tmp/contract", { method: "DELETE" })).status).toBe(404);
  });

  it("a posted schema that breaks the field rules opens a validation incident; a later one that satisfies them resolves it", async () => {
    const fp = "dataset-contract:default/orders:fields";
    const good = {
      fields: [
        { name: "id", type: "bigint", nullable: false },
        { name: "amount", type: "numeric(12,2)", nullable: true },
        { name: "status", type: "text", nullable: true },
      ],
    };
    expect((await t.post("/api/v1/datasets/orders/schema", good)).status).toBe(201);
    expect(await incident(fp)).toBeUndefined();
    const bad = {
      fields: [
        { name: "id", type: "bigint", nullable: true },
        { name: "amount", type: "text", nullable: true },
      ],
    };
    expect((await t.post("/api/v1/datasets/orders/schema", bad)).status).toBe(201);
    const opened = await incident(fp);
    expect(opened).toMatchObject({ status: "open" });
    expect(opened!.title).toMatch(/^Dataset orders: schema breaks the data contract/);
    expect((opened!.latest.violations as Json[]).map((v) => `${v.field}.${v.rule}`)).toEqual([
      "id.nullable",
      "amount.type",
      "status.present",
    ]);
    expect(opened!.latest).toMatchObject({ contractVersion: 2, schemaVersion: 2 });
    expect((await t.post("/api/v1/datasets/orders/schema", good)).status).toBe(201);
    expect(await incident(fp)).toMatchObject({ status: "resolved" });
    // A contract change judges the current schema at once: stricter opens, relaxed resolves.
    const stricter = await put("/api/v1/datasets/orders/contract", {
      ...contract,
      fields: { ...contract.fields, customer: { type: "string" } },
    });
    expect(((await stricter.json()) as Json).schemaCheck).toEqual({
      schemaVersion: 3,
      violations: [{ field: "customer", rule: "present", message: "not in the schema" }],
    });
    expect(await incident(fp)).toMatchObject({ status: "open" });
    const relaxed = await put("/api/v1/datasets/orders/contract", contract);
    expect(((await relaxed.json()) as Json).schemaCheck).toEqual({ schemaVersion: 3, violations: [] });
    expect(await incident(fp)).toMatchObject({ status: "resolved" });
    // Posting a schema counts as a write: the freshness baseline moved.
    const c = (await (await t.request("/api/v1/datasets/orders/contract")).json()) as Json;
    expect(Date.now() - Date.parse(c.lastWrittenAt as string)).toBeLessThan(60_000);
  });

  it("OpenLineage: a completed write's rowCount is checked against minRows/maxRows; its schema facet against the fields", async () => {
    await put("/api/v1/datasets/facts/contract?namespace=warehouse", {
      fields: { id: { type: "integer", nullable: false } },
      batch: { minRows: 10, maxRows: 100 },
    });
    const rowsFp = "dataset-contract:warehouse/facts:rows";
    const fieldsFp = "dataset-contract:warehouse/facts:fields";
    const now = Date.now();
    // A START event's statistics are not a write.
    await t.post("/api/v1/lineage", run("START", new Date(now - 5000), { name: "facts", rows: 1 }));
    expect(await incident(rowsFp)).toBeUndefined();
    const r = await t.post(
      "/api/v1/lineage",
      run("COMPLETE", new Date(now - 4000), { name: "facts", rows: 3 }),
    );
    expect(r.status).toBeLessThan(300);
    expect(await incident(rowsFp)).toMatchObject({
      status: "open",
      title: "Dataset facts: 3 rows in the last write (min 10)",
    });
    await t.post("/api/v1/lineage", run("COMPLETE", new Date(now - 3000), { name: "facts", rows: 500 }));
    expect(await incident(rowsFp)).toMatchObject({
      status: "open",
      count: 2,
      title: expect.stringMatching(/max 100/),
    });
    await t.post("/api/v1/lineage", run("COMPLETE", new Date(now - 2000), { name: "facts", rows: 50 }));
    expect(await incident(rowsFp)).toMatchObject({ status: "resolved" });
    const c = (await (await t.request("/api/v1/datasets/facts/contract?namespace=warehouse")).json()) as Json;
    expect(c).toMatchObject({ lastRowCount: 50, lastWrittenAt: new Date(now - 2000).toISOString() });

    await t.post(
      "/api/v1/lineage",
      run("COMPLETE", new Date(now - 1000), {
        name: "facts",
        rows: 50,
        fields: [{ name: "id", type: "string" }],
      }),
    );
    expect(await incident(fieldsFp)).toMatchObject({
      status: "open",
      title: expect.stringMatching(/id expected integer/),
    });
    await t.post(
      "/api/v1/lineage",
      run("COMPLETE", new Date(now), { name: "facts", rows: 50, fields: [{ name: "id", type: "long" }] }),
    );
    expect(await incident(fieldsFp)).toMatchObject({ status: "resolved" });
  });

  it("freshness: the scheduled check opens an incident when the last write is too old; a new write resolves it", async () => {
    await put("/api/v1/datasets/daily/contract?namespace=warehouse", {
      fields: {},
      batch: { freshnessSeconds: 3600 },
    });
    const fp = "dataset-contract:warehouse/daily:freshness";
    const now = new Date();
    // Declared just now and never written: the age counts from the declaration, so it is fresh.
    await checkDatasetFreshness(db.database.db, now);
    expect(await incident(fp)).toBeUndefined();
    await t.post(
      "/api/v1/lineage",
      run("COMPLETE", new Date(now.getTime() - 3 * 3600_000), { name: "daily" }),
    );
    const checked = await checkDatasetFreshness(db.database.db, now);
    expect(checked.failing).toBeGreaterThanOrEqual(1);
    expect(await incident(fp)).toMatchObject({
      status: "open",
      title: expect.stringMatching(/^Dataset daily: last write 10800s old \(max 3600s\)$/),
    });
    await t.post("/api/v1/lineage", run("COMPLETE", new Date(), { name: "daily" }));
    expect(await incident(fp)).toMatchObject({ status: "resolved" });
    await checkDatasetFreshness(db.database.db, new Date());
    expect(await incident(fp)).toMatchObject({ status: "resolved" });
  });

  it("dropping a rule, or the contract, resolves its open incident (nothing would check it again)", async () => {
    await put("/api/v1/datasets/gone/contract?namespace=warehouse", {
      fields: {},
      batch: { minRows: 10, freshnessSeconds: 3600 },
    });
    const rowsFp = "dataset-contract:warehouse/gone:rows";
    const freshFp = "dataset-contract:warehouse/gone:freshness";
    const now = new Date();
    await t.post(
      "/api/v1/lineage",
      run("COMPLETE", new Date(now.getTime() - 3 * 3600_000), { name: "gone", rows: 3 }),
    );
    await checkDatasetFreshness(db.database.db, now);
    expect(await incident(rowsFp)).toMatchObject({ status: "open" });
    expect(await incident(freshFp)).toMatchObject({ status: "open" });
    // The row-count rule goes; freshness stays (and still fails).
    await put("/api/v1/datasets/gone/contract?namespace=warehouse", {
      fields: {},
      batch: { freshnessSeconds: 3600 },
    });
    expect(await incident(rowsFp)).toMatchObject({ status: "resolved" });
    expect(await incident(freshFp)).toMatchObject({ status: "open" });
    expect(
      (await t.request("/api/v1/datasets/gone/contract?namespace=warehouse", { method: "DELETE" })).status,
    ).toBe(204);
    expect(await incident(freshFp)).toMatchObject({ status: "resolved" });
  });

  it("a model contract's sources become the model's lineage inputs, so a breaking change of those fields reaches the model", async () => {
    const fields = { amount: { type: "number" } };
    const res = await put("/api/v1/contracts/revenue", {
      fields,
      sources: [{ dataset: "ledger", fields: ["amount"] }],
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).sources).toEqual([{ dataset: "ledger", fields: ["amount"] }]);
    const inputs = async () =>
      ((await (await t.request("/api/v1/models/revenue/inputs")).json()) as { inputs: Json[] }).inputs;
    expect(await inputs()).toEqual([{ dataset: "ledger", namespace: "default", fields: ["amount"] }]);
    // Without sources the declared ones stay (and the stored contract keeps them).
    await put("/api/v1/contracts/revenue", { fields, violationThreshold: 0.2 });
    expect(((await (await t.request("/api/v1/contracts/revenue")).json()) as Json).sources).toHaveLength(1);
    expect(await inputs()).toHaveLength(1);

    await t.post("/api/v1/datasets/ledger/schema", {
      fields: [
        { name: "id", type: "bigint", nullable: false },
        { name: "amount", type: "numeric(12,2)", nullable: true },
      ],
    });
    const broke = await t.post("/api/v1/datasets/ledger/schema", {
      fields: [{ name: "id", type: "bigint", nullable: false }],
    });
    const body = (await broke.json()) as { incident?: { impacted: { kind: string; name: string }[] } };
    expect(body.incident?.impacted.map((n) => `${n.kind}:${n.name}`)).toContain("model:revenue");

    // [] withdraws the contract's declaration; deleting a contract with sources does too.
    await put("/api/v1/contracts/revenue", { fields, sources: [] });
    expect(await inputs()).toEqual([]);
    await put("/api/v1/contracts/revenue", { fields, sources: [{ dataset: "ledger" }] });
    expect(await inputs()).toEqual([{ dataset: "ledger", namespace: "default", fields: [] }]);
    expect((await t.request("/api/v1/contracts/revenue", { method: "DELETE" })).status).toBe(204);
    expect(await inputs()).toEqual([]);
    expect((await put("/api/v1/contracts/revenue", { fields, sources: [{ dataset: "" }] })).status).toBe(400);
  });
});
