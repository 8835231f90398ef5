import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffSchemas } from "../../src/schemas/diff.ts";
import { schemaHash } from "../../src/schemas/hash.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";
import { parseOpenLineageEvent } from "../../src/schemas/openlineage.ts";

/** Inputs nobody here wrote: see fixtures/README.md for their sources. */
const fixtures = join(import.meta.dirname, "fixtures");
const text = (path: string) => readFileSync(join(fixtures, path), "utf8");

describe("@octokit/webhooks-schemas 6.11.0 → 7.6.1", () => {
  const diffOf = (name: string) => {
    const before = normalizeSchema(text(`octokit-webhooks-schemas/6.11.0/${name}.schema.json`));
    const after = normalizeSchema(text(`octokit-webhooks-schemas/7.6.1/${name}.schema.json`));
    expect(before.format).toBe("jsonschema");
    return diffSchemas(before.schema, after.schema);
  };
  const brief = (name: string) =>
    diffOf(name).changes.map((c) => `${c.kind} ${c.path} ${c.from ?? ""}→${c.to ?? ""} ${c.breaking}`);

  it("auto-merge: three fields became nullable (type: [string, null], oneOf [user, null])", () => {
    expect(brief("auto-merge")).toEqual([
      "nullability_changed enabled_by required→nullable true",
      "nullability_changed commit_title required→nullable true",
      "nullability_changed commit_message required→nullable true",
    ]);
  });

  it("sponsorship-tier: the is_custom_ammount typo fix is flagged as a possible rename", () => {
    const d = diffOf("sponsorship-tier");
    expect(d.changes).toEqual([
      expect.objectContaining({
        kind: "possible_rename",
        path: "is_custom_amount",
        from: "is_custom_ammount",
        to: "is_custom_amount",
        breaking: true,
      }),
    ]);
  });

  it("release: only a description typo fix, not breaking", () => {
    const d = diffOf("release");
    expect(d.breaking).toBe(false);
    expect(d.changes).toEqual([
      expect.objectContaining({
        kind: "description_changed",
        path: "draft",
        from: "Wether the release is a draft or published",
        to: "Whether the release is a draft or published",
      }),
    ]);
  });

  it("dependabot-alert: a new optional timestamp is not breaking", () => {
    expect(brief("dependabot-alert")).toEqual(["field_added auto_dismissed_at →timestamptz false"]);
  });

  it("discussion: an inline object replaced by a $ref is the same, except the new required node_id", () => {
    expect(brief("discussion")).toEqual(["field_added category.node_id →string true"]);
  });

  it("repository: the new required custom_properties map breaks producers", () => {
    expect(brief("repository")).toEqual(["field_added custom_properties →map<string,json> true"]);
  });

  it("changed definitions hash differently; the same content re-serialised hashes the same", () => {
    const h = (v: string, n: string) =>
      schemaHash(normalizeSchema(text(`octokit-webhooks-schemas/${v}/${n}.schema.json`)).schema);
    const minified = JSON.stringify(
      JSON.parse(text("octokit-webhooks-schemas/7.6.1/repository.schema.json")),
    );
    expect(schemaHash(normalizeSchema(minified).schema)).toBe(h("7.6.1", "repository"));
    expect(h("6.11.0", "repository")).not.toBe(h("7.6.1", "repository"));
    // discussion's category moved to a $ref: different document, different canonical form (node_id).
    expect(h("6.11.0", "discussion")).not.toBe(h("7.6.1", "discussion"));
    expect(h("6.11.0", "release")).not.toBe(h("7.6.1", "release"));
  });

  it("normalises the 95-field repository schema with nested owner and license structs", () => {
    const n = normalizeSchema(text("octokit-webhooks-schemas/7.6.1/repository.schema.json"));
    const byName = new Map(n.schema.fields.map((f) => [f.name, f]));
    expect(n.schema.fields.length).toBeGreaterThan(90);
    expect(byName.get("id")).toMatchObject({ type: "int64", nullable: false });
    expect(byName.get("owner")).toMatchObject({ type: "struct", nullable: false });
    expect(byName.get("owner")!.fields!.map((f) => f.name)).toContain("login");
    expect(byName.get("license")).toMatchObject({ type: "struct", nullable: true });
    // created_at is `oneOf: [integer, date-time string]`: no single type, read as json and reported.
    expect(byName.get("created_at")!.type).toBe("json");
    expect(n.warnings.some((w) => w.startsWith("created_at:"))).toBe(true);
  });
});

describe("OpenLineage events", () => {
  it("the Python client's full example event", () => {
    const e = parseOpenLineageEvent(JSON.parse(text("openlineage/python-client-example_full_event.json")));
    expect(e).toMatchObject({
      kind: "run",
      eventType: "COMPLETE",
      runId: "ea041791-68bc-4ae1-bd89-4c8106a157e4",
      job: { namespace: "my-scheduler-namespace", name: "myjob.mytask" },
      parent: {
        runId: "3f5e83fa-3480-44ff-99c5-ff943904e5e8",
        job: { namespace: "my-scheduler-namespace", name: "myjob.mytask" },
      },
    });
    expect(e.inputs).toEqual([
      {
        namespace: "my-datasource-namespace",
        name: "instance.schema.table",
        facetNames: ["schema"],
        schema: { fields: [{ name: "column1", type: "string", nullable: true, description: "string" }] },
      },
    ]);
    expect(e.outputs[0]!.schema).toEqual(e.inputs[0]!.schema);
    expect(e.columnLineage).toEqual([]);
  });

  it("dbt 1.40.0 START event: two typed-less inputs, column lineage to customer_analytics", () => {
    const e = parseOpenLineageEvent(JSON.parse(text("openlineage/dbt-1.40.0-customer_analytics-start.json")));
    expect(e.job).toEqual({
      namespace: "dbt",
      name: "dbt_test.main.openlineage_compatibility_test.customer_analytics",
    });
    expect(e.parent).toEqual({
      runId: "019a977e-6c3f-7b18-a638-05655c338077",
      job: { namespace: "dbt", name: "dbt-run-openlineage_compatibility_test" },
    });
    expect(e.inputs.map((d) => d.name)).toEqual(["dbt_test.main.stg_customers", "dbt_test.main.stg_orders"]);
    // dbt sends no column types: they are `unknown`, never guessed.
    expect(e.inputs[1]!.schema).toEqual({
      fields: [
        { name: "order_id", type: "unknown", nullable: true, description: "Unique order identifier" },
        { name: "customer_id", type: "unknown", nullable: true, description: "Foreign key to customers" },
      ],
    });
    const out = { namespace: "postgres://localhost:5432", name: "dbt_test.main.customer_analytics" };
    expect(e.outputs).toEqual([
      expect.objectContaining({
        ...out,
        facetNames: ["columnLineage", "dataSource", "documentation", "schema"],
      }),
    ]);
    expect(e.columnLineage).toHaveLength(9);
    expect(e.columnLineage).toContainEqual({
      from: {
        namespace: "postgres://localhost:5432",
        name: "dbt_test.main.stg_orders",
        field: "completed_amount",
      },
      to: { ...out, field: "total_revenue" },
      transformations: [],
    });
    const fromOrders = e.columnLineage
      .filter((c) => c.from.name === "dbt_test.main.stg_orders")
      .map((c) => c.to.field);
    expect(fromOrders.sort()).toEqual([
      "avg_order_value",
      "last_order_date",
      "total_orders",
      "total_revenue",
    ]);
  });

  it("dbt catalog events (an array): null type and description are read as unknown/absent", () => {
    const events = (JSON.parse(text("openlineage/dbt-catalog-small-result.json")) as unknown[]).map(
      parseOpenLineageEvent,
    );
    expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    expect(events[0]!.outputs[0]!.schema).toBeUndefined();
    expect(events[1]!.inputs[0]!.schema).toEqual({ fields: [] });
    expect(events[1]!.outputs[0]!.schema).toEqual({
      fields: [{ name: "id", type: "unknown", nullable: true }],
    });
  });

  it("legacy per-field transformation and dataset-level lineage become edges", () => {
    const e = parseOpenLineageEvent({
      eventType: "COMPLETE",
      run: { runId: "r1" },
      job: { namespace: "ns", name: "j" },
      outputs: [
        {
          namespace: "db",
          name: "out",
          facets: {
            columnLineage: {
              fields: {
                a: {
                  inputFields: [{ namespace: "db", name: "in", field: "ia" }],
                  transformationType: "IDENTITY",
                  transformationDescription: "identical",
                },
              },
              dataset: [
                {
                  namespace: "db",
                  name: "in",
                  field: "flag",
                  transformations: [{ type: "INDIRECT", subtype: "FILTER" }],
                },
              ],
            },
          },
        },
      ],
    });
    expect(e.columnLineage).toEqual([
      {
        from: { namespace: "db", name: "in", field: "ia" },
        to: { namespace: "db", name: "out", field: "a" },
        transformations: [{ type: "IDENTITY", description: "identical" }],
      },
      {
        from: { namespace: "db", name: "in", field: "flag" },
        to: { namespace: "db", name: "out" },
        transformations: [{ type: "INDIRECT", subtype: "FILTER" }],
      },
    ]);
  });

  it("DatasetEvent and JobEvent are accepted; anything else is a 422", () => {
    expect(
      parseOpenLineageEvent({
        dataset: { namespace: "n", name: "d", facets: { schema: { fields: [{ name: "x", type: "int" }] } } },
      }),
    ).toMatchObject({
      kind: "dataset",
      outputs: [{ name: "d", schema: { fields: [{ name: "x", type: "int32", nullable: true }] } }],
    });
    expect(parseOpenLineageEvent({ job: { namespace: "n", name: "j" }, inputs: [] }).kind).toBe("job");
    expect(() => parseOpenLineageEvent({ eventType: "START" })).toThrow(/RunEvent/);
    expect(() => parseOpenLineageEvent({ run: { runId: "r" }, job: { namespace: "n" } })).toThrow(
      /Invalid OpenLineage event/,
    );
    expect(() =>
      parseOpenLineageEvent({
        run: { runId: "r" },
        job: { namespace: "n", name: "j" },
        outputs: [{ namespace: "a", name: "b", facets: { schema: { fields: [{ type: "int" }] } } }],
      }),
    ).toThrow(/outputs\[0\]\.facets\.schema/);
  });
});
