import { beforeAll, expect, it } from "vitest";
import { schemaRoutes } from "../../src/schemas/routes.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// Stateless route: one database kind is enough.
describeEachDatabase(
  "POST /api/v1/schemas/diff",
  (db) => {
    const t = useApp(db);
    beforeAll(() => {
      // Until the app mounts the schema routes itself, mount them here (before any request,
      // since Hono's router freezes on the first match).
      if (!t.app.routes.some((r) => r.path === "/api/v1/schemas/diff"))
        t.app.route("/", schemaRoutes(t.deps));
    });

    const before = {
      fields: [
        { name: "id", type: "int", nullable: false },
        { name: "email", type: "varchar(50)", nullable: true },
      ],
    };

    it("classifies changes between two forms and reports both sides", async () => {
      const res = await t.post("/api/v1/schemas/diff", {
        before,
        after: "CREATE TABLE users (id bigint NOT NULL, email text, age int NOT NULL);",
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        breaking: true,
        changes: [
          { kind: "type_changed", path: "id", from: "int32", to: "int64", breaking: false },
          { kind: "type_changed", path: "email", from: "varchar(50)", to: "string", breaking: false },
          { kind: "field_added", path: "age", to: "int32", breaking: true },
        ],
        before: { format: "vigil", fields: 2, warnings: [] },
        after: { format: "sql", fields: 3 },
      });
      expect((body.before as { hash: string }).hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it("same content → same hash and no changes", async () => {
      const res = await t.post("/api/v1/schemas/diff", { before, after: before });
      const body = (await res.json()) as {
        breaking: boolean;
        changes: unknown[];
        before: { hash: string };
        after: { hash: string };
      };
      expect(body.breaking).toBe(false);
      expect(body.changes).toEqual([]);
      expect(body.after.hash).toBe(body.before.hash);
    });

    it("format forces the reading", async () => {
      const res = await t.post("/api/v1/schemas/diff", { before, after: before, format: "jsonschema" });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("invalid_schema");
      expect(body.error.message).toMatch(/^before: /);
    });

    it.each([
      ["a body that is not JSON", "{nope", 400, undefined],
      ["a missing side", { before }, 400, "invalid_body"],
      ["an unknown form", { before, after: { hello: "world" } }, 422, "unknown_schema_form"],
      ["a side that is text but not a schema", { before, after: "just words" }, 400, "invalid_schema_syntax"],
      [
        "a cyclic JSON Schema",
        {
          before,
          after: {
            type: "object",
            properties: { n: { $ref: "#/$defs/n" } },
            $defs: { n: { type: "object", properties: { c: { $ref: "#/$defs/n" } } } },
          },
        },
        422,
        "cyclic_schema",
      ],
      [
        "an oversized schema",
        {
          before,
          after: { fields: Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, type: "int" })) },
        },
        413,
        "schema_too_large",
      ],
      ["an unknown format name", { before, after: before, format: "avro" }, 400, "invalid_body"],
    ])("%s → %i", async (_label, payload, status, code) => {
      const res =
        typeof payload === "string"
          ? await t.request("/api/v1/schemas/diff", {
              method: "POST",
              body: payload,
              headers: { "content-type": "application/json" },
            })
          : await t.post("/api/v1/schemas/diff", payload);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.message.length).toBeGreaterThan(5);
      if (code) expect(body.error.code).toBe(code);
    });

    it("needs an API key", async () => {
      const res = await t.app.request("/api/v1/schemas/diff", {
        method: "POST",
        body: JSON.stringify({ before, after: before }),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(401);
    });
  },
  ["pglite"],
);
