import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { incidents, lineageEdges, lineageEvents, schemaSnapshots } from "../../src/db/schema/index.ts";
import { declareModelInputs, getModelInputs } from "../../src/schemas/lineage-store.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";
import { recordSnapshot } from "../../src/schemas/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// Response bodies are checked by value; a loose type keeps the assertions readable.
// biome-ignore lint/suspicious/noExplicitAny: test bodies
type Json = Record<string, any>;

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/openlineage/${name}`, import.meta.url), "utf8"));

const PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/client/python";
const NS = "postgres://warehouse:5432";

/** A schema facet as OpenLineage clients write it. */
const schemaFacet = (fields: [string, string][]) => ({
  _producer: PRODUCER,
  _schemaURL: "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
  fields: fields.map(([name, type]) => ({ name, type })),
});

/** columnLineage: output field → [input dataset, input field][]. */
const columnLineage = (map: Record<string, [string, string][]>) => ({
  _producer: PRODUCER,
  _schemaURL:
    "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
  fields: Object.fromEntries(
    Object.entries(map).map(([out, ins]) => [
      out,
      {
        inputFields: ins.map(([name, field]) => ({
          namespace: NS,
          name,
          field,
          transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
        })),
      },
    ]),
  ),
});

let runs = 0;
function runEvent(opts: {
  job: string;
  inputs?: { name: string; fields?: [string, string][] }[];
  outputs?: { name: string; fields?: [string, string][]; lineage?: Record<string, [string, string][]> }[];
  eventType?: string;
  eventTime?: string;
  runId?: string;
}) {
  const ds = (d: {
    name: string;
    fields?: [string, string][];
    lineage?: Record<string, [string, string][]>;
  }) => ({
    namespace: NS,
    name: d.name,
    facets: {
      ...(d.fields ? { schema: schemaFacet(d.fields) } : {}),
      ...(d.lineage ? { columnLineage: columnLineage(d.lineage) } : {}),
    },
  });
  runs++;
  return {
    eventType: opts.eventType ?? "COMPLETE",
    eventTime: opts.eventTime ?? new Date(Date.UTC(2026, 0, 1, 0, 0, runs)).toISOString(),
    producer: PRODUCER,
    schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    run: { runId: opts.runId ?? `00000000-0000-4000-8000-${String(runs).padStart(12, "0")}` },
    job: { namespace: "etl", name: opts.job },
    inputs: (opts.inputs ?? []).map(ds),
    outputs: (opts.outputs ?? []).map(ds),
  };
}

describeEachDatabase("OpenLineage ingestion, impact and schema incidents", (db) => {
  const t = useApp(db);
  const get = async (path: string) => {
    const res = await t.request(path);
    return { status: res.status, body: (await res.json()) as Json };
  };

  describe("real OpenLineage events", () => {
    it("the python client's full example: job, dataset, schema; a job reading and writing one dataset is a cycle", async () => {
      const res = await t.post("/api/v1/lineage", fixture("python-client-example_full_event.json"));
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body.events).toEqual([
        expect.objectContaining({
          kind: "run",
          runId: "ea041791-68bc-4ae1-bd89-4c8106a157e4",
          eventType: "COMPLETE",
          duplicate: false,
          job: { namespace: "my-scheduler-namespace", name: "myjob.mytask" },
          datasets: 1,
          snapshots: [
            {
              namespace: "my-datasource-namespace",
              name: "instance.schema.table",
              version: 1,
              created: true,
              stale: false,
              breaking: false,
            },
          ],
        }),
      ]);
      // The name exists in one namespace only, so it resolves without ?namespace=.
      const schema = await get("/api/v1/datasets/instance.schema.table/schema");
      expect(schema.status).toBe(200);
      expect(schema.body).toMatchObject({
        dataset: { namespace: "my-datasource-namespace", name: "instance.schema.table" },
        source: "lineage",
        format: "openlineage",
        observedAt: "2020-12-28T19:51:01.641Z",
        schema: { fields: [{ name: "column1", type: "string", nullable: true, description: "string" }] },
      });
      const impact = await get("/api/v1/datasets/instance.schema.table/impact?fields=column1");
      expect(impact.status).toBe(200);
      expect(impact.body.impacted).toEqual([
        {
          kind: "job",
          namespace: "my-scheduler-namespace",
          name: "myjob.mytask",
          fields: [],
          depth: 1,
          path: [
            {
              kind: "dataset",
              namespace: "my-datasource-namespace",
              name: "instance.schema.table",
              field: "column1",
            },
            { kind: "job", namespace: "my-scheduler-namespace", name: "myjob.mytask" },
          ],
        },
      ]);
      expect(impact.body.truncated).toBe(false);
    });

    it("openlineage-dbt 1.40.0: column lineage gives field-level impact through the dbt job", async () => {
      const res = await t.post("/api/v1/lineage", fixture("dbt-1.40.0-customer_analytics-start.json"));
      expect(res.status).toBe(201);
      const ev = ((await res.json()) as Json).events[0];
      expect(ev).toMatchObject({ kind: "run", eventType: "START", datasets: 3, fieldEdges: 9 });
      expect(ev.snapshots.map((s: Json) => s.name).sort()).toEqual([
        "dbt_test.main.customer_analytics",
        "dbt_test.main.stg_customers",
        "dbt_test.main.stg_orders",
      ]);
      // dbt's facets carry no types: every field is `unknown`.
      const orders = await get(
        `/api/v1/datasets/dbt_test.main.stg_orders/schema?namespace=${encodeURIComponent("postgres://localhost:5432")}`,
      );
      expect(orders.body.schema.fields.map((f: Json) => [f.name, f.type])).toEqual([
        ["order_id", "unknown"],
        ["customer_id", "unknown"],
      ]);

      const impact = await get("/api/v1/datasets/dbt_test.main.stg_orders/impact?fields=completed_amount");
      expect(impact.body.impacted.map((n: Json) => [n.kind, n.name, n.fields])).toEqual([
        ["dataset", "dbt_test.main.customer_analytics", ["avg_order_value", "total_revenue"]],
        ["job", "dbt_test.main.openlineage_compatibility_test.customer_analytics", []],
      ]);
      expect(impact.body.impacted[0].path[1]).toEqual({
        kind: "dataset",
        namespace: "postgres://localhost:5432",
        name: "dbt_test.main.customer_analytics",
        field: "avg_order_value",
        via: { namespace: "dbt", name: "dbt_test.main.openlineage_compatibility_test.customer_analytics" },
      });
      // completed_amount is not in the input's schema facet: reported, still followed.
      expect(impact.body.unknownFields).toEqual(["completed_amount"]);

      // stg_orders.customer_id only feeds the join, and the facet lists no dataset-wide inputs:
      // the job's column lineage says no output reads it, so nothing is impacted (no fallback).
      const join = await get("/api/v1/datasets/dbt_test.main.stg_orders/impact?fields=customer_id");
      expect(join.body.impacted).toEqual([]);
      // The whole dataset: every output field it feeds, and the job.
      const whole = await get("/api/v1/datasets/dbt_test.main.stg_orders/impact");
      expect(whole.body.impacted.map((n: Json) => [n.kind, n.fields])).toEqual([
        ["dataset", ["avg_order_value", "last_order_date", "total_orders", "total_revenue"]],
        ["job", []],
      ]);
    });

    it("the dbt catalog pair (START + COMPLETE, sent as an array): empty schema facets are ignored", async () => {
      const res = await t.post("/api/v1/lineage", fixture("dbt-catalog-small-result.json"));
      expect(res.status).toBe(201);
      const events = ((await res.json()) as Json).events as Json[];
      expect(events.map((e) => [e.eventType, e.duplicate, e.snapshots.length])).toEqual([
        ["START", false, 0],
        ["COMPLETE", false, 1],
      ]);
      expect(events[1]?.snapshots[0]).toMatchObject({
        name: "speedy-vim-308516.dbt_test1.test_model",
        version: 1,
      });
      // The source table's facet had `fields: []`: no snapshot, the dataset exists for lineage only.
      const list = await get("/api/v1/datasets?namespace=bigquery");
      expect(list.body.datasets.map((d: Json) => [d.name, d.version])).toEqual([
        ["speedy-vim-308516.dbt_test1.source_table", 0],
        ["speedy-vim-308516.dbt_test1.test_model", 1],
      ]);
      // No column lineage here: the fallback walks dataset → job → dataset.
      const impact = await get("/api/v1/datasets/speedy-vim-308516.dbt_test1.source_table/impact?fields=id");
      expect(impact.body.impacted.map((n: Json) => [n.kind, n.name, n.depth])).toEqual([
        ["job", "model.dbt_test.test_model", 1],
        ["dataset", "speedy-vim-308516.dbt_test1.test_model", 2],
      ]);
    });
  });

  describe("nested types as OpenLineage producers write them (_element, key/value)", () => {
    /** Flink's expected event is a json-unit template: its placeholders get concrete values. */
    const flinkEvent = () => {
      const ev = fixture("flink1-expected_protobuf.json") as Json;
      ev.eventTime = "2026-03-02T10:00:00.000Z";
      ev.run.runId = "0190f0c4-7b1e-7a55-9d1e-3c4d5e6f7a8b";
      return ev;
    };

    it("Flink's protobuf source: an _element array inside a message is array<int64>", async () => {
      const res = await t.post("/api/v1/lineage", flinkEvent());
      expect(res.status, await res.clone().text()).toBe(201);
      const input = await get(
        `/api/v1/datasets/io.openlineage.flink.kafka.protobuf_input/schema?namespace=${encodeURIComponent("kafka://kafka-cluster-prod:9092")}`,
      );
      expect(input.status).toBe(200);
      const sub = input.body.schema.fields.find((f: Json) => f.name === "subEvent");
      expect(sub.type).toBe("struct");
      expect(sub.fields.find((f: Json) => f.name === "arr")).toEqual({
        name: "arr",
        type: "array<int64>",
        nullable: true,
      });
      expect(input.body.warnings).toEqual([]);
    });

    it("a facet stored before the conventions, sent again: a new version, not a breaking change", async () => {
      const facet = fixture("spec-tests-SchemaDatasetFacet-1.json") as Json;
      const ref = { kind: "dataset" as const, namespace: NS, name: "crm.customers" };
      // What Vigil stored for this facet before it read the conventions: the facet taken literally.
      const literal = normalizeSchema(facet.schema, { format: "vigil" }).schema;
      expect(literal.fields.find((f) => f.name === "phones")).toMatchObject({
        type: "array<struct>",
        fields: [{ name: "_element", type: "string" }],
      });
      await recordSnapshot(db.database.db, t.projectId, ref, {
        schema: literal,
        format: "openlineage",
        warnings: [],
        source: "lineage",
        observedAt: new Date("2026-03-01T00:00:00Z"),
      });
      const event = {
        eventType: "COMPLETE",
        eventTime: "2026-03-02T00:00:00.000Z",
        producer: PRODUCER,
        run: { runId: "0190f0c4-7b1e-7a55-9d1e-000000000001" },
        job: { namespace: "etl", name: "crm_export" },
        inputs: [],
        outputs: [{ namespace: NS, name: "crm.customers", facets: facet }],
      };
      const res = await t.post("/api/v1/lineage", event);
      expect(res.status, await res.clone().text()).toBe(201);
      const ev = ((await res.json()) as Json).events[0];
      expect(ev.snapshots).toEqual([
        expect.objectContaining({ name: "crm.customers", version: 2, created: true, breaking: false }),
      ]);
      expect(ev.incidents).toEqual([]);
      const changes = await get(`/api/v1/datasets/crm.customers/changes?namespace=${encodeURIComponent(NS)}`);
      expect(changes.body.versions[0]).toMatchObject({ version: 2, breaking: false, changes: [] });
      const schema = await get(`/api/v1/datasets/crm.customers/schema?namespace=${encodeURIComponent(NS)}`);
      expect(schema.body.schema.fields.find((f: Json) => f.name === "phones").type).toBe("array<string>");
      expect(schema.body.schema.fields.find((f: Json) => f.name === "custom_properties").type).toBe(
        "map<string,json>",
      );
      expect(schema.body.warnings).toEqual([
        "custom_properties.value: union of string | int64 read as json",
        expect.stringMatching(/^v1 was read from its OpenLineage facet before Vigil applied/),
      ]);
      // Sent once more: unchanged, no version 3.
      const again = await t.post("/api/v1/lineage", {
        ...event,
        eventTime: "2026-03-03T00:00:00.000Z",
      });
      expect(((await again.json()) as Json).events[0].snapshots[0]).toMatchObject({
        version: 2,
        created: false,
      });
    });
  });

  describe("idempotency", () => {
    it("a retried event (same runId + eventType + eventTime) is stored once and applied once", async () => {
      const ev = runEvent({
        job: "retry_job",
        inputs: [{ name: "retry.src", fields: [["a", "INT"]] }],
        outputs: [{ name: "retry.dst", fields: [["b", "INT"]], lineage: { b: [["retry.src", "a"]] } }],
      });
      const first = (await (await t.post("/api/v1/lineage", ev)).json()) as Json;
      expect(first.events[0].duplicate).toBe(false);
      const [a, b] = await Promise.all([t.post("/api/v1/lineage", ev), t.post("/api/v1/lineage", ev)]);
      for (const r of [a, b]) {
        expect(r.status).toBe(201);
        expect(((await r.json()) as Json).events[0]).toMatchObject({ duplicate: true, snapshots: [] });
      }
      const rows = await t.deps.database.db
        .select()
        .from(lineageEvents)
        .where(and(eq(lineageEvents.projectId, t.projectId), eq(lineageEvents.runId, ev.run.runId)));
      expect(rows).toHaveLength(1);
      // Same run, next event type: a different event.
      const done = (await (await t.post("/api/v1/lineage", { ...ev, eventType: "RUNNING" })).json()) as Json;
      expect(done.events[0]).toMatchObject({ duplicate: false });
      expect(done.events[0].snapshots.every((s: Json) => !s.created)).toBe(true);
      const snaps = await t.deps.database.db
        .select()
        .from(schemaSnapshots)
        .where(eq(schemaSnapshots.projectId, t.projectId));
      expect(
        snaps.filter((s) => s.source === "lineage" && s.schema && JSON.stringify(s.schema).includes('"b"')),
      ).toHaveLength(1);
    });

    it("concurrent events naming the same datasets in opposite orders all commit (no deadlock)", async () => {
      const names = ["conc.a", "conc.b", "conc.c", "conc.d"];
      const events = Array.from({ length: 12 }, (_, i) => {
        const order = i % 2 === 0 ? names : [...names].reverse();
        return runEvent({
          job: `conc_job_${i}`,
          inputs: order.slice(0, 2).map((name) => ({ name, fields: [["k", "INT"]] as [string, string][] })),
          outputs: order.slice(2).map((name) => ({
            name,
            fields: [["k", "INT"]] as [string, string][],
            lineage: { k: [[order[0]!, "k"]] as [string, string][] },
          })),
        });
      });
      const results = await Promise.all(events.map((e) => t.post("/api/v1/lineage", e)));
      expect(results.map((r) => r.status)).toEqual(events.map(() => 201));
      const list = await get(`/api/v1/datasets?namespace=${encodeURIComponent(NS)}`);
      const conc = list.body.datasets.filter((d: Json) => d.name.startsWith("conc."));
      expect(conc.map((d: Json) => [d.name, d.version])).toEqual(names.map((n) => [n, 1]));
    });

    it("gzip bodies (the OpenLineage HTTP transport's compression) are accepted; bad gzip 400, bomb 413, br 415", async () => {
      const ev = runEvent({ job: "gz_job", outputs: [{ name: "gz.out", fields: [["x", "INT"]] }] });
      const res = await t.request("/api/v1/lineage", {
        method: "POST",
        body: gzipSync(JSON.stringify(ev)),
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).events[0].snapshots[0]).toMatchObject({
        name: "gz.out",
        version: 1,
      });
      const bad = await t.request("/api/v1/lineage", {
        method: "POST",
        body: "not gzip",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      });
      expect(bad.status).toBe(400);
      const limit = t.deps.config.VIGIL_BODY_LIMIT;
      const bomb = await t.request("/api/v1/lineage", {
        method: "POST",
        body: gzipSync(`${JSON.stringify(ev)}${" ".repeat(limit)}`),
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      });
      expect(bomb.status).toBe(413);
      expect(((await bomb.json()) as Json).error.code).toBe("payload_too_large");
      const br = await t.request("/api/v1/lineage", {
        method: "POST",
        body: JSON.stringify(ev),
        headers: { "content-type": "application/json", "content-encoding": "br" },
      });
      expect(br.status).toBe(415);
      expect(((await br.json()) as Json).error.code).toBe("unsupported_encoding");
    });

    it("a batch with one bad event stores nothing", async () => {
      const good = runEvent({ job: "batch_job", outputs: [{ name: "batch.out", fields: [["x", "INT"]] }] });
      const res = await t.post("/api/v1/lineage", [good, { eventType: "COMPLETE", run: {} }]);
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).error.message).toMatch(/^events\[1\]: /);
      const found = await t.request(`/api/v1/datasets/batch.out/schema?namespace=${encodeURIComponent(NS)}`);
      expect(found.status).toBe(404);
    });
  });

  describe("schema changes from lineage", () => {
    it("a changed facet is a new version with the diff; an out-of-order older event is ignored", async () => {
      const t0 = "2026-02-01T00:00:00.000Z";
      const out = (fields: [string, string][], eventTime: string) =>
        runEvent({ job: "order_job", eventTime, outputs: [{ name: "sales.orders", fields }] });
      await t.post(
        "/api/v1/lineage",
        out(
          [
            ["id", "BIGINT"],
            ["total", "DOUBLE"],
          ],
          t0,
        ),
      );
      const res = await t.post(
        "/api/v1/lineage",
        out(
          [
            ["id", "BIGINT"],
            ["total", "DOUBLE"],
            ["note", "STRING"],
          ],
          "2026-02-02T00:00:00.000Z",
        ),
      );
      expect(((await res.json()) as Json).events[0].snapshots).toEqual([
        expect.objectContaining({ name: "sales.orders", version: 2, created: true, breaking: false }),
      ]);
      // Sent late by a slow producer, observed before version 2: not a new version.
      const late = await t.post("/api/v1/lineage", out([["id", "INT"]], "2026-02-01T12:00:00.000Z"));
      expect(((await late.json()) as Json).events[0].snapshots).toEqual([
        expect.objectContaining({ version: 2, created: false, stale: true }),
      ]);
      const changes = await get("/api/v1/datasets/sales.orders/changes");
      expect(changes.body.versions).toHaveLength(1);
      expect(changes.body.versions[0]).toMatchObject({
        version: 2,
        source: "lineage",
        changes: [{ kind: "field_added", path: "note", breaking: false }],
      });
    });
  });

  describe("impact", () => {
    // raw.events ─(ingest, column lineage)→ staging.events ─(features, column lineage)→ features.user_stats
    //   → model churn (declared: total_spend);  staging.events ─(report, no column lineage)→ report.daily
    it("builds a 3-hop chain with a model at the end", async () => {
      const events = [
        runEvent({
          job: "ingest",
          inputs: [
            {
              name: "raw.events",
              fields: [
                ["user_id", "BIGINT"],
                ["amount", "DOUBLE"],
                ["ts", "TIMESTAMP"],
              ],
            },
          ],
          outputs: [
            {
              name: "staging.events",
              fields: [
                ["user_id", "BIGINT"],
                ["amount_usd", "DOUBLE"],
              ],
              lineage: { user_id: [["raw.events", "user_id"]], amount_usd: [["raw.events", "amount"]] },
            },
          ],
        }),
        runEvent({
          job: "features",
          inputs: [{ name: "staging.events" }],
          outputs: [
            {
              name: "features.user_stats",
              fields: [
                ["user_id", "BIGINT"],
                ["total_spend", "DOUBLE"],
                ["n_events", "BIGINT"],
              ],
              lineage: {
                user_id: [["staging.events", "user_id"]],
                total_spend: [["staging.events", "amount_usd"]],
                n_events: [["staging.events", "user_id"]],
              },
            },
          ],
        }),
        runEvent({
          job: "report",
          inputs: [{ name: "staging.events" }],
          outputs: [{ name: "report.daily" }],
        }),
      ];
      expect((await t.post("/api/v1/lineage", events)).status).toBe(201);
      const put = await t.request("/api/v1/models/churn/inputs", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [{ dataset: "features.user_stats", namespace: NS, fields: ["total_spend"] }],
        }),
      });
      expect(put.status).toBe(200);
      expect(((await put.json()) as Json).inputs).toEqual([
        { dataset: "features.user_stats", namespace: NS, fields: ["total_spend"] },
      ]);
    });

    it("amount reaches the model through three hops, with the path; the job without column lineage falls back", async () => {
      const { body } = await get("/api/v1/datasets/raw.events/impact?fields=amount");
      const summary = body.impacted.map(
        (n: Json) => `${n.depth} ${n.kind} ${n.name} [${n.fields.join(",")}]`,
      );
      expect(summary).toEqual([
        "1 dataset staging.events [amount_usd]",
        "1 job ingest []",
        "2 dataset features.user_stats [total_spend]",
        "2 job features []",
        "2 job report []",
        "3 dataset report.daily []",
        "3 model churn []",
      ]);
      const churn = body.impacted.find((n: Json) => n.kind === "model");
      expect(churn.namespace).toBe("default");
      expect(churn.path).toEqual([
        { kind: "dataset", namespace: NS, name: "raw.events", field: "amount" },
        {
          kind: "dataset",
          namespace: NS,
          name: "staging.events",
          field: "amount_usd",
          via: { namespace: "etl", name: "ingest" },
        },
        {
          kind: "dataset",
          namespace: NS,
          name: "features.user_stats",
          field: "total_spend",
          via: { namespace: "etl", name: "features" },
        },
        { kind: "model", namespace: "default", name: "churn" },
      ]);
    });

    it("a field no one reads downstream impacts nothing; user_id does not reach the model", async () => {
      expect((await get("/api/v1/datasets/raw.events/impact?fields=ts")).body.impacted).toEqual([]);
      const { body } = await get("/api/v1/datasets/raw.events/impact?fields=user_id");
      expect(body.impacted.map((n: Json) => `${n.kind} ${n.name} [${n.fields.join(",")}]`)).toEqual([
        "dataset staging.events [user_id]",
        "job ingest []",
        "dataset features.user_stats [n_events,user_id]",
        "job features []",
        "job report []",
        "dataset report.daily []",
      ]);
    });

    it("cycles terminate: a.x → b.y → a.x", async () => {
      const loop = [
        runEvent({
          job: "a_to_b",
          inputs: [{ name: "loop.a" }],
          outputs: [{ name: "loop.b", fields: [["y", "INT"]], lineage: { y: [["loop.a", "x"]] } }],
        }),
        runEvent({
          job: "b_to_a",
          inputs: [{ name: "loop.b" }],
          outputs: [{ name: "loop.a", fields: [["x", "INT"]], lineage: { x: [["loop.b", "y"]] } }],
        }),
      ];
      expect((await t.post("/api/v1/lineage", loop)).status).toBe(201);
      const { body } = await get("/api/v1/datasets/loop.a/impact?fields=x");
      expect(body.truncated).toBe(false);
      expect(body.impacted.map((n: Json) => `${n.depth} ${n.kind} ${n.name}`)).toEqual([
        "1 dataset loop.b",
        "1 job a_to_b",
        "2 job b_to_a",
      ]);
      const whole = await get("/api/v1/datasets/loop.b/impact");
      expect(whole.body.impacted.map((n: Json) => n.name)).toEqual(["loop.a", "b_to_a", "a_to_b"]);
    });

    it("DatasetEvents carry column lineage without a job; a chain deeper than the cap is reported truncated", async () => {
      // deep.0.v ← … ← deep.34.v: 34 hops, over the 32-hop cap.
      const events = Array.from({ length: 34 }, (_, i) => ({
        eventTime: "2026-03-01T00:00:00.000Z",
        producer: PRODUCER,
        schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        dataset: {
          namespace: NS,
          name: `deep.${i + 1}`,
          facets: {
            schema: schemaFacet([["v", "INT"]]),
            columnLineage: columnLineage({ v: [[`deep.${i}`, "v"]] }),
          },
        },
      }));
      const res = await t.post("/api/v1/lineage", events);
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).events[0]).toMatchObject({ kind: "dataset", fieldEdges: 1 });
      const { body } = await get("/api/v1/datasets/deep.0/impact?fields=v");
      expect(body.truncated).toBe(true);
      expect(body.impacted).toHaveLength(32);
      expect(body.impacted.at(-1)).toMatchObject({ name: "deep.32", depth: 32, fields: ["v"] });
      expect(body.impacted.at(-1).path).toHaveLength(33);
      const near = await get("/api/v1/datasets/deep.10/impact?fields=v");
      expect(near.body.truncated).toBe(false);
      expect(near.body.impacted).toHaveLength(24);
    });

    it("a breaking snapshot opens one schema incident listing the impacted nodes; a retry adds nothing", async () => {
      // raw.events came from lineage; post its next version through the API under its namespace.
      const next = {
        fields: [
          { name: "user_id", type: "bigint" },
          { name: "amount", type: "int" },
          { name: "ts", type: "timestamp" },
        ],
      };
      const path = `/api/v1/datasets/raw.events/schema?namespace=${encodeURIComponent(NS)}`;
      const res = await t.post(path, next);
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({ version: 2, breaking: true });
      expect(body.changes).toEqual([
        expect.objectContaining({
          kind: "type_changed",
          path: "amount",
          from: "float64",
          to: "int32",
          breaking: true,
        }),
      ]);
      expect(body.incident.created).toBe(true);
      expect(body.incident.impacted.map((n: Json) => n.name)).toContain("churn");

      const [row] = await t.deps.database.db
        .select()
        .from(incidents)
        .where(eq(incidents.id, body.incident.id));
      expect(row).toMatchObject({
        kind: "schema",
        status: "open",
        severity: "critical",
        count: 1,
        source: `${NS}/raw.events`,
      });
      expect(row!.title).toMatch(
        /^Breaking schema change in raw\.events \(v1 → v2\): 1 breaking change, 7 downstream nodes affected$/,
      );
      const sample = row!.sample as Json;
      expect(sample.breakingChanges).toEqual([
        expect.objectContaining({ kind: "type_changed", path: "amount" }),
      ]);
      expect(sample.impacted.map((n: Json) => `${n.kind}:${n.name}`)).toEqual([
        "dataset:staging.events",
        "job:ingest",
        "dataset:features.user_stats",
        "job:features",
        "job:report",
        "dataset:report.daily",
        "model:churn",
      ]);
      expect(row!.evidence).toMatchObject({ schemaVersion: 2, schemaHash: body.hash });

      const again = await t.post(path, next);
      expect(again.status).toBe(200);
      expect(((await again.json()) as Json).incident).toBeUndefined();
      const schemaIncidents = await t.deps.database.db
        .select()
        .from(incidents)
        .where(and(eq(incidents.projectId, t.projectId), eq(incidents.kind, "schema")));
      expect(schemaIncidents.filter((i) => i.source === `${NS}/raw.events`)).toHaveLength(1);
    });

    it("a breaking change arriving by OpenLineage opens an incident too", async () => {
      const res = await t.post(
        "/api/v1/lineage",
        runEvent({
          job: "features",
          eventTime: "2027-01-01T00:00:00.000Z",
          inputs: [{ name: "staging.events" }],
          outputs: [
            {
              name: "features.user_stats",
              fields: [
                ["user_id", "BIGINT"],
                ["n_events", "BIGINT"],
              ],
            },
          ],
        }),
      );
      const ev = ((await res.json()) as Json).events[0];
      expect(ev.snapshots).toEqual([
        expect.objectContaining({ name: "features.user_stats", version: 2, created: true, breaking: true }),
      ]);
      expect(ev.incidents).toEqual([
        expect.objectContaining({
          created: true,
          dataset: { namespace: NS, name: "features.user_stats" },
          impacted: 1,
        }),
      ]);
      const [row] = await t.deps.database.db
        .select()
        .from(incidents)
        .where(eq(incidents.id, ev.incidents[0].id));
      expect((row!.sample as Json).job).toEqual({ namespace: "etl", name: "features" });
      expect((row!.sample as Json).impacted).toEqual([
        expect.objectContaining({ kind: "model", name: "churn" }),
      ]);
    });
  });

  describe("model inputs", () => {
    it("PUT replaces the declaration; GET reads it; the whole dataset when no fields", async () => {
      const put = (inputs: unknown) =>
        t.request("/api/v1/models/ranker/inputs", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inputs }),
        });
      expect((await put([{ dataset: "clicks", fields: ["a", "b"] }, { dataset: "users" }])).status).toBe(200);
      expect((await put([{ dataset: "clicks", fields: ["b"] }])).status).toBe(200);
      const { body } = await get("/api/v1/models/ranker/inputs");
      expect(body).toEqual({
        model: "ranker",
        inputs: [{ dataset: "clicks", namespace: "default", fields: ["b"] }],
        declarations: [
          {
            declaredBy: "api",
            inputs: [{ dataset: "clicks", fields: ["b"] }],
            updatedAt: expect.any(String),
          },
        ],
      });
      const edges = await t.deps.database.db
        .select()
        .from(lineageEdges)
        .where(and(eq(lineageEdges.projectId, t.projectId), eq(lineageEdges.source, "declared")));
      expect(edges.filter((e) => e.fromField === "a")).toHaveLength(0);
      // Reading a field not declared does not reach the model; the declared one does.
      expect((await get("/api/v1/datasets/clicks/impact?fields=a")).body.impacted).toEqual([]);
      expect((await get("/api/v1/datasets/clicks/impact?fields=b")).body.impacted).toEqual([
        expect.objectContaining({ kind: "model", name: "ranker" }),
      ]);
      await put([{ dataset: "users" }]);
      expect((await get("/api/v1/datasets/users/impact?fields=anything")).body.impacted).toEqual([
        expect.objectContaining({ kind: "model", name: "ranker" }),
      ]);
    });

    it("declareModelInputs is callable by other capabilities (monitors, contracts) in-process", async () => {
      const db = t.deps.database.db;
      const r = await declareModelInputs(db, t.projectId, "fraud", [
        { dataset: "payments", fields: ["amount", "country", "amount"] },
      ]);
      expect(r.edges).toBe(2);
      expect(await getModelInputs(db, t.projectId, "fraud")).toEqual([
        { dataset: "payments", namespace: "default", fields: ["amount", "country"] },
      ]);
      expect((await get("/api/v1/datasets/payments/impact?fields=country")).body.impacted).toEqual([
        expect.objectContaining({ kind: "model", namespace: "default", name: "fraud", depth: 1 }),
      ]);
    });

    it("bad bodies → 400; unknown model → 404", async () => {
      const res = await t.request("/api/v1/models/ranker/inputs", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: [{ fields: ["a"] }] }),
      });
      expect(res.status).toBe(400);
      expect((await get("/api/v1/models/nobody/inputs")).status).toBe(404);
    });
  });

  describe("bad lineage input", () => {
    it("not JSON → 400, empty → 400, not an event → 422, bad eventTime → 400", async () => {
      const raw = (body: string) =>
        t.request("/api/v1/lineage", {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
      const notJson = await raw("{oops");
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as Json).error.code).toBe("invalid_schema_syntax");
      expect((await raw("")).status).toBe(400);
      expect((await raw("[]")).status).toBe(400);
      const notEvent = await t.post("/api/v1/lineage", { hello: "world" });
      expect(notEvent.status).toBe(422);
      expect(((await notEvent.json()) as Json).error.message).toMatch(/RunEvent/);
      const badTime = await t.post("/api/v1/lineage", { ...runEvent({ job: "j" }), eventTime: "yesterday" });
      expect(badTime.status).toBe(400);
      const badFacet = await t.post("/api/v1/lineage", {
        ...runEvent({ job: "j" }),
        outputs: [
          { namespace: NS, name: "x", facets: { columnLineage: { fields: { a: { inputFields: "no" } } } } },
        ],
      });
      expect(badFacet.status).toBe(422);
      expect(((await badFacet.json()) as Json).error.message).toMatch(/columnLineage/);
    });

    it("unknown dataset for impact → 404", async () => {
      expect((await get("/api/v1/datasets/nowhere/impact?fields=a")).status).toBe(404);
    });
  });
});
