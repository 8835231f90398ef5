import { describe, expect, it } from "vitest";
import { diffSchemas } from "../../src/schemas/diff.ts";
import { normalizeSchema } from "../../src/schemas/normalize.ts";
import { stillBreaking } from "../../src/schemas/schema-incident.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// biome-ignore lint/suspicious/noExplicitAny: test bodies
type Json = Record<string, any>;

const schema = (fields: [string, string, boolean?][] | Json) =>
  normalizeSchema(
    Array.isArray(fields)
      ? { fields: fields.map(([name, type, nullable]) => ({ name, type, nullable: nullable ?? true })) }
      : fields,
  ).schema;

describe("stillBreaking", () => {
  const v1 = schema([
    ["id", "bigint", false],
    ["plan", "int"],
    ["email", "varchar(50)"],
  ]);
  const brokenBy = (after: ReturnType<typeof schema>) =>
    diffSchemas(v1, after).changes.filter((c) => c.breaking);
  const removedPlan = brokenBy(
    schema([
      ["id", "bigint", false],
      ["email", "varchar(50)"],
    ]),
  );

  it("a removed field that is back, or back widened, is fixed", () => {
    expect(removedPlan).toEqual([expect.objectContaining({ kind: "field_removed", path: "plan" })]);
    expect(stillBreaking(removedPlan, diffSchemas(v1, v1).changes)).toEqual([]);
    const widened = schema([
      ["id", "bigint", false],
      ["plan", "bigint"],
      ["email", "varchar(50)"],
    ]);
    expect(stillBreaking(removedPlan, diffSchemas(v1, widened).changes)).toEqual([]);
  });

  it("back with an incompatible type or missing still breaks", () => {
    const asText = schema([
      ["id", "bigint", false],
      ["plan", "text"],
      ["email", "varchar(50)"],
    ]);
    expect(stillBreaking(removedPlan, diffSchemas(v1, asText).changes)).toEqual([
      expect.objectContaining({ kind: "type_changed", path: "plan" }),
    ]);
    const stillGone = schema([
      ["id", "bigint", false],
      ["email", "varchar(50)"],
    ]);
    expect(stillBreaking(removedPlan, diffSchemas(v1, stillGone).changes)).toHaveLength(1);
  });

  it("other breaking changes belong to other incidents", () => {
    const emailGone = schema([
      ["id", "bigint", false],
      ["plan", "int"],
    ]);
    expect(stillBreaking(removedPlan, diffSchemas(v1, emailGone).changes)).toEqual([]);
  });

  it("nested paths overlap with their parents and children; renames count by the old name", () => {
    const nested = (city: string | null) =>
      schema({
        fields: [
          {
            name: "address",
            type: "struct",
            fields: city
              ? [
                  { name: "city", type: city },
                  { name: "zip", type: "text" },
                ]
              : [{ name: "zip", type: "text" }],
          },
        ],
      });
    const cityGone = diffSchemas(nested("text"), nested(null)).changes.filter((c) => c.breaking);
    expect(cityGone.map((c) => c.path)).toEqual(["address.city"]);
    const addressGone = diffSchemas(nested("text"), schema([["other", "text"]])).changes;
    expect(stillBreaking(cityGone, addressGone).map((c) => c.path)).toContain("address");
    expect(stillBreaking(cityGone, diffSchemas(nested("text"), nested("varchar(3)")).changes)).toHaveLength(
      1,
    );

    // plan → tier at the same position: a possible rename, breaking readers of `plan`.
    const renamed = brokenBy(
      schema([
        ["id", "bigint", false],
        ["tier", "int"],
        ["email", "varchar(50)"],
      ]),
    );
    expect(renamed).toEqual([
      expect.objectContaining({ kind: "possible_rename", path: "tier", from: "plan" }),
    ]);
    const both = schema([
      ["id", "bigint", false],
      ["plan", "int"],
      ["email", "varchar(50)"],
      ["tier", "int"],
    ]);
    expect(stillBreaking(renamed, diffSchemas(v1, both).changes)).toEqual([]);
    expect(
      stillBreaking(
        removedPlan,
        diffSchemas(
          v1,
          schema([
            ["id", "bigint", false],
            ["tier", "int"],
            ["email", "varchar(50)"],
          ]),
        ).changes,
      ),
    ).toHaveLength(1);
  });
});

describeEachDatabase("schema incidents resolve themselves", (db) => {
  const t = useApp(db, { project: "schema-resolve" });
  const get = async (path: string) => (await (await t.request(path)).json()) as Json;
  const post = async (dataset: string, fields: [string, string][]) => {
    const res = await t.post(`/api/v1/datasets/${dataset}/schema`, {
      fields: fields.map(([name, type]) => ({ name, type, nullable: true })),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Json;
  };
  const incident = async (id: string) => get(`/api/v1/incidents/${id}`);

  it("a fix resolves the incident it fixes and only that one; a recurrence reopens it", async () => {
    const id: [string, string] = ["id", "bigint"];
    const plan: [string, string] = ["plan", "text"];
    const email: [string, string] = ["email", "text"];
    await post("accounts", [id, plan, email]); // v1
    const v2 = await post("accounts", [id, email]); // plan removed
    const a = v2.incident.id as string;
    const v3 = await post("accounts", [id]); // email removed too: a second incident, a stays open
    const b = v3.incident.id as string;
    expect(b).not.toBe(a);
    expect(v3.resolvedIncidents).toBeUndefined();
    const v4 = await post("accounts", [id, ["plan", "varchar(10)"]]); // back, but narrower than text
    expect(v4.resolvedIncidents).toBeUndefined();
    expect((await incident(a)).incident.status).toBe("open");

    const v5 = await post("accounts", [id, plan]); // plan back as text; email still gone
    expect(v5.resolvedIncidents).toEqual([a]);
    const resolved = await incident(a);
    expect(resolved.incident.status).toBe("resolved");
    expect(resolved.events.at(-1)).toMatchObject({ type: "resolved", actor: "vigil" });
    expect(resolved.events.at(-1).message).toMatch(/v5 no longer breaks/);
    expect((await incident(b)).incident.status).toBe("open");

    // b's base is v2 (id, email): email back fixes it, whatever plan does.
    const v6 = await post("accounts", [id, plan, email]);
    expect(v6.resolvedIncidents).toEqual([b]);
    expect((await incident(b)).incident.status).toBe("resolved");

    // The same break again (same paths, same resulting schema): a reopens, and a fix resolves it again.
    const v7 = await post("accounts", [id, email]);
    expect(v7.incident.id).toBe(a);
    expect((await incident(a)).incident.status).toBe("open");
    const v8 = await post("accounts", [id, email, plan]); // plan back at another position
    expect(v8.resolvedIncidents).toEqual([a]);
    expect((await incident(a)).incident.status).toBe("resolved");
  });

  it("an acknowledged incident resolves too; a non-breaking version that fixes nothing resolves nothing", async () => {
    await post("carts", [
      ["id", "bigint"],
      ["total", "int"],
    ]);
    const broke = await post("carts", [["id", "bigint"]]);
    const ack = await t.post(`/api/v1/incidents/${broke.incident.id}/acknowledge`, {});
    expect(ack.status).toBe(200);
    const unrelated = await post("carts", [
      ["id", "bigint"],
      ["note", "text"],
    ]);
    expect(unrelated.breaking).toBe(false);
    expect(unrelated.resolvedIncidents).toBeUndefined();
    const fixed = await post("carts", [
      ["id", "bigint"],
      ["note", "text"],
      ["total", "bigint"],
    ]);
    expect(fixed.resolvedIncidents).toEqual([broke.incident.id]);
  });

  it("a fix arriving by OpenLineage resolves the incident too", async () => {
    const facet = (fields: string[]) => ({
      eventTime: new Date().toISOString(),
      producer: "https://example.com/test",
      schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
      dataset: {
        namespace: "postgres://db:5432",
        name: "shop.public.items",
        facets: {
          schema: {
            _producer: "https://example.com/test",
            _schemaURL: "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
            fields: fields.map((name) => ({ name, type: "INTEGER" })),
          },
        },
      },
    });
    const send = async (fields: string[]) => {
      const res = await t.post("/api/v1/lineage", facet(fields));
      expect(res.status).toBe(201);
      return ((await res.json()) as Json).events[0];
    };
    await send(["id", "qty"]);
    const broke = await send(["id"]);
    expect(broke.incidents).toHaveLength(1);
    expect(broke.resolvedIncidents).toEqual([]);
    const fixed = await send(["id", "qty"]);
    expect(fixed.resolvedIncidents).toEqual([broke.incidents[0].id]);
    expect((await incident(broke.incidents[0].id)).incident.status).toBe("resolved");
  });
});
