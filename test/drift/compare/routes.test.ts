import { beforeAll, expect, it } from "vitest";
import { driftRoutes } from "../../../src/drift/compare/routes.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";

const PATH = "/api/v1/drift/compare";
const normal = (n: number, seed: number, loc = 0) =>
  Array.from(generateSample({ dist: "normal", n, seed, loc }));

interface ErrorResponse {
  error: { code: string; message: string; details?: unknown };
}

// Stateless route: one database kind is enough.
describeEachDatabase(
  "POST /api/v1/drift/compare",
  (db) => {
    const t = useApp(db);
    beforeAll(() => {
      // Until the app mounts the drift routes itself (before any request: Hono's router freezes).
      if (!t.app.routes.some((r) => r.path === PATH)) t.app.route("/", driftRoutes(t.deps));
    });

    it("JSON columns → per-column results and dataset verdict", async () => {
      const res = await t.post(PATH, {
        reference: { x: normal(200, 1), c: ["a", "b", "a", null] },
        current: { x: normal(150, 2, 1), c: ["a", "b", "b", "b"] },
        columns: { c: { test: "chisquare", threshold: 0.01 } },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        drifted: boolean;
        share: number;
        columns: { name: string; test: string; pValue: number; drifted: boolean; missing: unknown }[];
      };
      expect(body.columns.map((c) => [c.name, c.test])).toEqual([
        ["x", "ks"],
        ["c", "chisquare"],
      ]);
      expect(body.columns[0]!.drifted).toBe(true);
      expect(body.columns[1]!.missing).toEqual({ reference: 1, current: 0 });
      expect(body.share).toBe(0.5);
      expect(body.drifted).toBe(true);
    });

    it("multipart CSV + NDJSON uploads with options", async () => {
      const ref = normal(300, 3);
      const cur = normal(300, 4);
      const csv = "x,g\n" + ref.map((v, i) => `${v},${i % 2 ? "u" : "v"}`).join("\n") + "\n";
      const ndjson = cur.map((v, i) => JSON.stringify({ x: v, g: i % 2 ? "u" : "v" })).join("\n");
      const form = new FormData();
      form.set("reference", new File([csv], "ref.csv", { type: "text/csv" }));
      form.set("current", new File([ndjson], "cur.ndjson"));
      form.set("options", JSON.stringify({ columns: { x: { test: "wasserstein" } }, datasetDriftShare: 1 }));
      const res = await t.request(PATH, { method: "POST", body: form });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        drifted: boolean;
        columns: { name: string; test: string; referenceSize: number }[];
      };
      expect(body.columns.map((c) => [c.name, c.test, c.referenceSize])).toEqual([
        ["x", "wasserstein", 300],
        ["g", "z", 300],
      ]);
      expect(body.drifted).toBe(false);
    });

    it.each([
      ["mismatched column sets", { reference: { a: [1] }, current: { b: [1] } }, 422, "column_mismatch"],
      ["an empty column", { reference: { a: [null] }, current: { a: [1, 2] } }, 422, "empty_column"],
      [
        "an unknown test name",
        { reference: { a: [1] }, current: { a: [1] }, columns: { a: { test: "nope" } } },
        400,
        "invalid_body",
      ],
      [
        "a test/type mismatch",
        { reference: { a: ["x"] }, current: { a: ["y"] }, columns: { a: { test: "ks" } } },
        422,
        "test_type_mismatch",
      ],
      [
        "a binary test on 3 categories",
        {
          reference: { a: ["x", "y", "z"] },
          current: { a: ["y"] },
          columns: { a: { test: "fisher_exact" } },
        },
        422,
        "not_binary",
      ],
      ["a missing side", { reference: { a: [1] } }, 400, "invalid_body"],
    ])("%s → %s %s", async (_what, body, status, code) => {
      const res = await t.post(PATH, body);
      expect(res.status).toBe(status);
      const err = (await res.json()) as ErrorResponse;
      expect(err.error.code).toBe(code);
      expect(err.error.message.length).toBeGreaterThan(0);
    });

    it("multipart with a malformed file or options → 400", async () => {
      const form = new FormData();
      form.set("reference", new File(['a,b\n1,"x'], "r.csv"));
      form.set("current", new File(["a,b\n1,2\n"], "c.csv"));
      const res = await t.request(PATH, { method: "POST", body: form });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorResponse).error.code).toBe("invalid_input");
      const form2 = new FormData();
      form2.set("reference", new File(["a\n1\n"], "r.csv"));
      form2.set("current", new File(["a\n1\n"], "c.csv"));
      form2.set("options", "{bad");
      const res2 = await t.request(PATH, { method: "POST", body: form2 });
      expect(res2.status).toBe(400);
      const form3 = new FormData();
      form3.set("reference", new File(["a\n1\n"], "r.csv"));
      const res3 = await t.request(PATH, { method: "POST", body: form3 });
      expect(res3.status).toBe(400);
    });
  },
  ["pglite"],
);
