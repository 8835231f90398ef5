import { expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { NS, runEventBuilder } from "./openlineage-events.ts";

// Response bodies are checked by value; a loose type keeps the assertions readable.
// biome-ignore lint/suspicious/noExplicitAny: test bodies
type Json = Record<string, any>;

const runEvent = runEventBuilder();

/** `kind:name` of each listed node, with its depth: what a test compares. */
const names = (nodes: Json[]) => nodes.map((n) => `${n.depth} ${n.kind}:${n.name}`);

describeEachDatabase("the lineage around a dataset", (db) => {
  const t = useApp(db);
  const get = async (path: string, key?: string) => {
    const res = await t.request(path, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    return { status: res.status, body: (await res.json()) as Json };
  };
  const lineage = (name: string, query = "") =>
    get(`/api/v1/datasets/${name}/lineage?namespace=${encodeURIComponent(NS)}${query}`);

  it("src → raw → staging → features → model: upstream and downstream, by depth", async () => {
    const events = [
      runEvent(
        "load_raw",
        ["src"],
        [{ name: "raw", fields: ["id", "amount"], lineage: { id: [["src", "id"]] } }],
      ),
      runEvent(
        "stage",
        ["raw"],
        [
          {
            name: "staging",
            fields: ["id", "amount"],
            lineage: { id: [["raw", "id"]], amount: [["raw", "amount"]] },
          },
        ],
      ),
      runEvent(
        "build_features",
        ["staging"],
        [{ name: "features", fields: ["amount_f"], lineage: { amount_f: [["staging", "amount"]] } }],
      ),
    ];
    for (const e of events) expect((await t.post("/api/v1/lineage", e)).status).toBe(201);
    const declared = await t.request("/api/v1/models/churn/inputs", {
      method: "PUT",
      body: JSON.stringify({ inputs: [{ dataset: "features", namespace: NS, fields: ["amount_f"] }] }),
      headers: { "content-type": "application/json" },
    });
    expect(declared.status).toBe(200);

    const { status, body } = await lineage("staging");
    expect(status).toBe(200);
    expect(body.dataset).toMatchObject({ namespace: NS, name: "staging" });
    expect(body.depth).toBe(2);
    expect(names(body.upstream)).toEqual(["1 job:stage", "2 dataset:raw"]);
    expect(names(body.downstream)).toEqual(["1 job:build_features", "2 dataset:features"]);
    expect(body.truncated).toBe(false);

    const id = (name: string) =>
      [body.dataset, ...body.upstream, ...body.downstream].find((n) => n.name === name)!.id;
    const edges = body.edges.map((e: Json) => `${e.from}>${e.to}`).sort();
    expect(edges).toEqual(
      [
        `${id("raw")}>${id("stage")}`,
        `${id("stage")}>${id("staging")}`,
        `${id("staging")}>${id("build_features")}`,
        `${id("build_features")}>${id("features")}`,
      ].sort(),
    );
    // Field edges between listed nodes, through their job.
    const fieldEdges = body.fieldEdges
      .map(
        (e: Json) =>
          `${e.from.node === id("raw") ? "raw" : e.from.node === id("staging") ? "staging" : "?"}.${e.from.field}>${e.to.node === id("staging") ? "staging" : e.to.node === id("features") ? "features" : "?"}.${e.to.field} via ${e.via === id("stage") ? "stage" : e.via === id("build_features") ? "build_features" : e.via}`,
      )
      .sort();
    expect(fieldEdges).toEqual([
      "raw.amount>staging.amount via stage",
      "raw.id>staging.id via stage",
      "staging.amount>features.amount_f via build_features",
    ]);

    // Deeper: the source and its job upstream, the model reading the features downstream.
    const deep = await lineage("staging", "&depth=4");
    expect(names(deep.body.upstream)).toEqual([
      "1 job:stage",
      "2 dataset:raw",
      "3 job:load_raw",
      "4 dataset:src",
    ]);
    expect(names(deep.body.downstream)).toEqual([
      "1 job:build_features",
      "2 dataset:features",
      "3 model:churn",
    ]);
    const churn = deep.body.downstream.find((n: Json) => n.name === "churn");
    const features = deep.body.downstream.find((n: Json) => n.name === "features");
    expect(deep.body.fieldEdges).toContainEqual({
      from: { node: features.id, field: "amount_f" },
      to: { node: churn.id, field: "" },
      via: null,
      transformations: [],
    });
    expect(deep.body.edges).toContainEqual({ from: features.id, to: churn.id });

    // One hop: only the jobs next to it.
    const near = await lineage("staging", "&depth=1");
    expect(names(near.body.upstream)).toEqual(["1 job:stage"]);
    expect(names(near.body.downstream)).toEqual(["1 job:build_features"]);
    expect(near.body.fieldEdges).toEqual([]);
  });

  it("depth is bounded: out of range or not a number is a 400 JSON error", async () => {
    for (const depth of ["0", "6", "-1", "two", "1.5"]) {
      const res = await lineage("staging", `&depth=${depth}`);
      expect(res.status, depth).toBe(400);
      expect(res.body.error.code, depth).toEqual(expect.any(String));
    }
    expect((await lineage("staging", "&depth=5")).status).toBe(200);
  });

  it("a cycle ends at the depth bound; the dataset itself is never listed", async () => {
    // features → backfill → raw closes raw → stage → staging → build_features → features → … .
    expect(
      (await t.post("/api/v1/lineage", runEvent("backfill", ["features"], [{ name: "raw" }]))).status,
    ).toBe(201);
    const { status, body } = await lineage("staging", "&depth=5");
    expect(status).toBe(200);
    expect(names(body.downstream)).toEqual([
      "1 job:build_features",
      "2 dataset:features",
      "3 job:backfill",
      "3 model:churn",
      "4 dataset:raw",
      "5 job:stage",
    ]);
    expect(names(body.upstream)).toEqual([
      "1 job:stage",
      "2 dataset:raw",
      "3 job:backfill",
      "3 job:load_raw",
      "4 dataset:features",
      "4 dataset:src",
      "5 job:build_features",
    ]);
    for (const side of [body.upstream, body.downstream])
      expect(side.map((n: Json) => n.id)).not.toContain(body.dataset.id);
    // The edge closing the cycle back to the dataset is among the edges.
    const stage = body.upstream.find((n: Json) => n.name === "stage");
    expect(body.edges).toContainEqual({ from: stage.id, to: body.dataset.id });
  });

  it("unknown dataset: 404; a name in several namespaces without one: 409", async () => {
    const missing = await get("/api/v1/datasets/nope/lineage");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    await t.post("/api/v1/lineage", runEvent("copy", ["staging"], [{ name: "staging" }], "other://ns"));
    const ambiguous = await get("/api/v1/datasets/staging/lineage");
    expect(ambiguous.status).toBe(409);
  });

  it("a key sees its project only: another project's key gets 404, and its graph does not leak in", async () => {
    const other = await createApiKey(db.database.db, "lineage-other");
    const fromOther = await get(
      `/api/v1/datasets/staging/lineage?namespace=${encodeURIComponent(NS)}`,
      other.key,
    );
    expect(fromOther.status).toBe(404);
    // The other project builds its own `staging` in the same namespace, read by a secret job.
    const event = runEvent("secret_job", ["staging"], [{ name: "secret_out" }]);
    const posted = await t.request("/api/v1/lineage", {
      method: "POST",
      body: JSON.stringify(event),
      headers: { "content-type": "application/json", authorization: `Bearer ${other.key}` },
    });
    expect(posted.status).toBe(201);
    const theirs = await get(
      `/api/v1/datasets/staging/lineage?namespace=${encodeURIComponent(NS)}`,
      other.key,
    );
    expect(names(theirs.body.downstream)).toEqual(["1 job:secret_job", "2 dataset:secret_out"]);
    expect(theirs.body.upstream).toEqual([]);
    const ours = await lineage("staging", "&depth=5");
    const all = [...ours.body.upstream, ...ours.body.downstream].map((n: Json) => n.name);
    expect(all).not.toContain("secret_job");
    expect(all).not.toContain("secret_out");
  });

  it("appears in /openapi.json", async () => {
    const doc = (await (await t.app.request("/openapi.json")).json()) as Json;
    expect(doc.paths["/api/v1/datasets/{name}/lineage"]?.get).toBeDefined();
  });
});

describeEachDatabase("dataset list keyset paging", (db) => {
  const t = useApp(db);
  const list = async (query: string) => {
    const res = await t.request(`/api/v1/datasets${query}`);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const schema = { fields: [{ name: "id", type: "bigint" }] };

  /** Every page of `query` at `limit`, in order; at most 50 pages. */
  async function allPages(limit: number, query = "") {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const r = await list(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.datasets.map((d: Json) => `${d.namespace}/${d.name}`));
      cursor = r.body.nextCursor;
      if (!cursor) return seen;
      expect(r.body.datasets).toHaveLength(limit);
    }
    throw new Error("no last page");
  }

  it("pages in (namespace, name) order without duplicates or misses, same names across namespaces", async () => {
    // Same names in several namespaces (equal `name`, equal field counts and versions), names with
    // the separators a naive cursor would split on.
    const expected: string[] = [];
    for (const ns of ["a", "a|b", "b"])
      for (const name of ["orders", "orders|x", "users", "x.y"]) {
        const res = await t.post(
          `/api/v1/datasets/${encodeURIComponent(name)}/schema?namespace=${encodeURIComponent(ns)}`,
          schema,
        );
        expect(res.status).toBe(201);
        expected.push(`${ns}/${name}`);
      }
    const whole = await list("?limit=1000");
    const order = whole.body.datasets.map((d: Json) => `${d.namespace}/${d.name}`);
    expect(order.slice().sort()).toEqual(expected.slice().sort());
    expect(new Set(order).size).toBe(order.length);
    expect(whole.body.nextCursor).toBeNull();
    for (const limit of [1, 2, 5, 12]) expect(await allPages(limit), `limit ${limit}`).toEqual(order);
    // The namespace filter pages too.
    expect(await allPages(1, "&namespace=a%7Cb")).toEqual(order.filter((d: string) => d.startsWith("a|b/")));
  });

  it("a dataset added between pages neither repeats nor hides another", async () => {
    const first = await list("?limit=3");
    const before = first.body.datasets.map((d: Json) => `${d.namespace}/${d.name}`);
    // Sorts before the cursor: not shown on later pages, and nothing shifts.
    await t.post("/api/v1/datasets/aaa/schema?namespace=a", schema);
    const rest: string[] = [];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const r = await list(`?limit=3&cursor=${encodeURIComponent(cursor)}`);
      rest.push(...r.body.datasets.map((d: Json) => `${d.namespace}/${d.name}`));
      cursor = r.body.nextCursor;
    }
    const all = (await list("?limit=1000")).body.datasets.map((d: Json) => `${d.namespace}/${d.name}`);
    expect([...before, ...rest]).toEqual(all.filter((d: string) => d !== "a/aaa"));
  });

  it("an invalid cursor or an offset is a 400 JSON error", async () => {
    const forged = Buffer.from(JSON.stringify(["a"])).toString("base64url");
    const nul = Buffer.from(JSON.stringify(["a\u0000", "b"])).toString("base64url");
    for (const cursor of ["not a cursor!", "e30", forged, nul, Buffer.from("a|b").toString("base64url")]) {
      const r = await list(`?cursor=${encodeURIComponent(cursor)}`);
      expect(r.status, cursor).toBe(400);
      expect(r.body.error.message, cursor).toMatch(/cursor/i);
    }
    const offset = await list("?offset=10");
    expect(offset.status).toBe(400);
    expect(offset.body.error.message).toMatch(/cursor/);
  });
});
