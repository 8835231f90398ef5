import { describe, expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// Response bodies are checked by value; a loose type keeps the assertions readable.
// biome-ignore lint/suspicious/noExplicitAny: test bodies
type Json = Record<string, any>;

describeEachDatabase("dataset schema snapshots", (db) => {
  const t = useApp(db);
  const v1 = {
    fields: [
      { name: "id", type: "bigint", nullable: false },
      { name: "email", type: "varchar(50)", nullable: true },
      { name: "amount", type: "double", nullable: true },
    ],
  };

  describe("versioning", () => {
    it("stores version 1, then nothing new for the same content in another form", async () => {
      const first = await t.post("/api/v1/datasets/orders/schema", v1);
      expect(first.status).toBe(201);
      const a = (await first.json()) as Json;
      expect(a).toMatchObject({
        dataset: { namespace: "default", name: "orders" },
        version: 1,
        created: true,
        breaking: false,
        changes: [],
        format: "vigil",
      });
      expect(a.previousVersion).toBeUndefined();

      // The same columns as CREATE TABLE text: same canonical form, same hash.
      const sql = "CREATE TABLE orders (id bigint NOT NULL, email varchar(50), amount double precision);";
      const same = await t.request("/api/v1/datasets/orders/schema", {
        method: "POST",
        body: sql,
        headers: { "content-type": "application/sql" },
      });
      expect(same.status).toBe(200);
      const b = (await same.json()) as Json;
      expect(b).toMatchObject({ version: 1, created: false, hash: a.hash, format: "sql", changes: [] });
    });

    it("a changed schema is a new version with the classified diff", async () => {
      const v2 = {
        fields: [
          { name: "id", type: "bigint", nullable: false },
          { name: "email", type: "text", nullable: true },
          { name: "amount", type: "double", nullable: true },
          { name: "note", type: "text", nullable: true },
        ],
      };
      const res = await t.post("/api/v1/datasets/orders/schema", v2);
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({
        version: 2,
        previousVersion: 1,
        created: true,
        breaking: false,
        changes: [
          { kind: "type_changed", path: "email", from: "varchar(50)", to: "string", breaking: false },
          { kind: "field_added", path: "note", to: "string", breaking: false },
        ],
      });
      expect(body.incident).toBeUndefined();
    });

    it("psql --csv text of information_schema.columns is accepted (format forced by query)", async () => {
      const csv = [
        "column_name,data_type,is_nullable,ordinal_position",
        "id,bigint,NO,1",
        "email,text,YES,2",
        "amount,integer,YES,3",
        "note,text,YES,4",
      ].join("\n");
      const res = await t.request("/api/v1/datasets/orders/schema?format=information_schema", {
        method: "POST",
        body: csv,
        headers: { "content-type": "text/csv" },
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({ version: 3, breaking: true, format: "information_schema" });
      expect(body.changes).toEqual([
        expect.objectContaining({
          kind: "type_changed",
          path: "amount",
          from: "float64",
          to: "int32",
          breaking: true,
        }),
      ]);
      expect(body.incident).toMatchObject({ created: true, impacted: [] });
    });

    it("GET schema returns the latest or a given version", async () => {
      const latest = (await (await t.request("/api/v1/datasets/orders/schema")).json()) as Json;
      expect(latest).toMatchObject({
        version: 3,
        latestVersion: 3,
        source: "api",
        format: "information_schema",
      });
      expect(latest.schema.fields.map((f: Json) => f.name)).toEqual(["id", "email", "amount", "note"]);
      const first = (await (await t.request("/api/v1/datasets/orders/schema?version=1")).json()) as Json;
      expect(first).toMatchObject({ version: 1, latestVersion: 3, format: "vigil" });
      expect(first.schema.fields[1]).toEqual({ name: "email", type: "varchar(50)", nullable: true });
      const missing = await t.request("/api/v1/datasets/orders/schema?version=9");
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as Json).error.message).toMatch(/no version 9 \(latest is 3\)/);
    });

    it("changes: newest first, filterable to breaking ones and by since", async () => {
      const all = (await (await t.request("/api/v1/datasets/orders/changes")).json()) as Json;
      expect(all.dataset).toEqual({ namespace: "default", name: "orders" });
      expect(all.versions.map((v: Json) => [v.version, v.previousVersion, v.breaking])).toEqual([
        [3, 2, true],
        [2, 1, false],
      ]);
      expect(all.versions[1].changes.map((c: Json) => c.kind)).toEqual(["type_changed", "field_added"]);
      const breaking = (await (
        await t.request("/api/v1/datasets/orders/changes?breaking=true")
      ).json()) as Json;
      expect(breaking.versions.map((v: Json) => v.version)).toEqual([3]);
      const since = (await (await t.request("/api/v1/datasets/orders/changes?since=2")).json()) as Json;
      expect(since.versions.map((v: Json) => v.version)).toEqual([3]);
    });

    it("going back to an earlier content is a new version (history is linear)", async () => {
      const res = await t.post("/api/v1/datasets/orders/schema", v1);
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body.version).toBe(4);
      expect(body.changes.map((c: Json) => `${c.kind}:${c.path}`)).toEqual([
        "type_changed:email",
        "type_changed:amount",
        "field_removed:note",
      ]);
    });

    it("namespaces keep same-named datasets apart; the list shows both", async () => {
      const res = await t.post("/api/v1/datasets/orders/schema?namespace=postgres%3A%2F%2Fwh%3A5432", v1);
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).version).toBe(1);
      const list = (await (await t.request("/api/v1/datasets")).json()) as Json;
      expect(list.datasets.map((d: Json) => [d.namespace, d.name, d.version, d.fields])).toEqual([
        ["default", "orders", 4, 3],
        ["postgres://wh:5432", "orders", 1, 3],
      ]);
      expect(list.datasets[0].lastBreakingChangeAt).toEqual(expect.any(String));
      const filtered = (await (
        await t.request("/api/v1/datasets?namespace=postgres://wh:5432")
      ).json()) as Json;
      expect(filtered.datasets).toHaveLength(1);
      // Without namespace, `default` wins.
      const got = (await (await t.request("/api/v1/datasets/orders/schema")).json()) as Json;
      expect(got.dataset.namespace).toBe("default");
    });

    it("names with slashes are URL-encoded in the path", async () => {
      const name = "s3://lake/events/2026";
      const res = await t.post(`/api/v1/datasets/${encodeURIComponent(name)}/schema`, v1);
      expect(res.status).toBe(201);
      expect(((await res.json()) as Json).dataset).toEqual({ namespace: "default", name });
      const got = await t.request(`/api/v1/datasets/${encodeURIComponent(name)}/schema`);
      expect(((await got.json()) as Json).dataset.name).toBe(name);
    });

    it("concurrent snapshots of one dataset get consecutive versions", async () => {
      const mk = (n: number) => ({ fields: [{ name: `c${n}`, type: "int", nullable: true }] });
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => t.post("/api/v1/datasets/burst/schema", mk(n))),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201]);
      const versions = await Promise.all(results.map(async (r) => ((await r.json()) as Json).version));
      expect(versions.sort()).toEqual([1, 2, 3, 4]);
    });
  });

  describe("bad input", () => {
    it("not JSON with a JSON content type → 400 invalid_schema_syntax", async () => {
      const res = await t.request("/api/v1/datasets/x/schema", {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.code).toBe("invalid_schema_syntax");
    });

    it("empty body → 400", async () => {
      const res = await t.request("/api/v1/datasets/x/schema", { method: "POST", body: "" });
      expect(res.status).toBe(400);
    });

    it("unknown form → 422 unknown_schema_form; nothing stored", async () => {
      const res = await t.post("/api/v1/datasets/x/schema", { hello: "world" });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).error.code).toBe("unknown_schema_form");
      expect((await t.request("/api/v1/datasets/x/schema")).status).toBe(404);
    });

    it("cyclic JSON Schema → 422 cyclic_schema", async () => {
      const cyclic = {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: { node: { $ref: "#/$defs/node" } },
        $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
      };
      const res = await t.post("/api/v1/datasets/x/schema", cyclic);
      expect(res.status).toBe(422);
      expect(((await res.json()) as Json).error.code).toBe("cyclic_schema");
    });

    it("oversized schema → 413", async () => {
      const fields = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, type: "int" }));
      const res = await t.post("/api/v1/datasets/x/schema", { fields });
      expect(res.status).toBe(413);
      expect(((await res.json()) as Json).error.code).toBe("schema_too_large");
    });

    it("bad version / unknown dataset / bad format query", async () => {
      expect((await t.request("/api/v1/datasets/orders/schema?version=zero")).status).toBe(400);
      expect((await t.request("/api/v1/datasets/nope/schema")).status).toBe(404);
      expect((await t.request("/api/v1/datasets/nope/changes")).status).toBe(404);
      const res = await t.post("/api/v1/datasets/x/schema?format=yaml", v1);
      expect(res.status).toBe(400);
    });

    it("a name in several namespaces and none in default is ambiguous → 409 listing them", async () => {
      await t.post("/api/v1/datasets/shared/schema?namespace=a", v1);
      await t.post("/api/v1/datasets/shared/schema?namespace=b", v1);
      const res = await t.request("/api/v1/datasets/shared/changes");
      expect(res.status).toBe(409);
      expect(((await res.json()) as Json).error.details).toEqual({ namespaces: ["a", "b"] });
      expect((await t.request("/api/v1/datasets/shared/changes?namespace=b")).status).toBe(200);
    });
  });

  it("routes appear in /openapi.json", async () => {
    const doc = (await (await t.app.request("/openapi.json")).json()) as Json;
    for (const p of [
      "/api/v1/datasets",
      "/api/v1/datasets/{name}/schema",
      "/api/v1/datasets/{name}/changes",
      "/api/v1/datasets/{name}/impact",
      "/api/v1/lineage",
      "/api/v1/models/{model}/inputs",
    ])
      expect(doc.paths[p], p).toBeDefined();
  });
});
