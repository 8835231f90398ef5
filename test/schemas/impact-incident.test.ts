import { describe, expect, it } from "vitest";
import type { SchemaChange } from "../../src/schemas/diff.ts";
import {
  buildWalk,
  type NodeInfo,
  type ParentRow,
  summarizeImpact,
  type WalkRow,
} from "../../src/schemas/impact-paths.ts";
import { readerImpactFields, schemaIncident } from "../../src/schemas/schema-incident.ts";

const nodes = new Map<string, NodeInfo>(
  (
    [
      ["src", "dataset", "raw"],
      ["d1", "dataset", "staging"],
      ["d2", "dataset", "marts"],
      ["j1", "job", "ingest"],
      ["j2", "job", "build"],
      ["m", "model", "churn"],
    ] as const
  ).map(([id, kind, name]) => [id, { id, kind, namespace: "ns", name }]),
);
const s = (node: string, field = "", via: string | null = null) => ({ node, field, via });

describe("summarizeImpact", () => {
  it("groups states by node, lists dataset fields, and reports the job a field edge goes through", () => {
    const rows: WalkRow[] = [
      { node: "d1", field: "b", via: "j1", depth: 1, path: [s("src", "a"), s("d1", "b", "j1")] },
      { node: "d1", field: "c", via: "j1", depth: 1, path: [s("src", "a"), s("d1", "c", "j1")] },
      { node: "m", field: "", via: null, depth: 2, path: [s("src", "a"), s("d1", "b", "j1"), s("m")] },
    ];
    const out = summarizeImpact(rows, nodes, "src");
    expect(out.map((n) => [n.kind, n.name, n.fields, n.depth])).toEqual([
      ["dataset", "staging", ["b", "c"], 1],
      ["job", "ingest", [], 1],
      ["model", "churn", [], 2],
    ]);
    expect(out[1]!.path).toEqual([
      { kind: "dataset", namespace: "ns", name: "raw", field: "a" },
      { kind: "job", namespace: "ns", name: "ingest" },
    ]);
    expect(out[2]!.path.at(1)).toEqual({
      kind: "dataset",
      namespace: "ns",
      name: "staging",
      field: "b",
      via: { namespace: "ns", name: "ingest" },
    });
  });

  it("keeps the shortest path, marks a dataset reached whole, and leaves out the source", () => {
    const long = [s("src", "a"), s("j1"), s("d1"), s("j2"), s("d2")];
    const short = [s("src", "a"), s("d2", "x", "j2")];
    const rows: WalkRow[] = [
      { node: "d2", field: "", via: null, depth: 4, path: long },
      { node: "d2", field: "x", via: "j2", depth: 1, path: short },
      { node: "src", field: "a", via: "j2", depth: 2, path: [...short, s("src", "a", "j2")] },
    ];
    const out = summarizeImpact(rows, nodes, "src");
    const d2 = out.find((n) => n.name === "marts")!;
    expect(d2.depth).toBe(1);
    expect(d2.fields).toEqual([]); // reached whole on one path: all of it depends
    expect(d2.path).toHaveLength(2);
    expect(out.some((n) => n.name === "raw")).toBe(false);
  });

  it("is empty for no rows and ignores unknown node ids", () => {
    expect(summarizeImpact([], nodes, "src")).toEqual([]);
    expect(
      summarizeImpact([{ node: "gone", field: "", via: null, depth: 1, path: [] }], nodes, "src"),
    ).toEqual([]);
  });
});

describe("buildWalk", () => {
  const r = (
    node: string,
    field: string,
    depth: number,
    parentNode: string,
    parentField: string,
    via: string | null = null,
  ): ParentRow => ({
    node,
    field,
    via,
    depth,
    parentNode,
    parentField,
  });

  it("rebuilds shortest paths from parent pointers through a diamond", () => {
    // src.a → d1.b and src.a → d2.c (depth 1); both → m (depth 2).
    const rows = [
      r("d1", "b", 1, "src", "a", "j1"),
      r("d2", "c", 1, "src", "a", "j2"),
      r("m", "", 2, "d1", "b"),
      r("m", "", 2, "d2", "c"),
    ];
    const { walk, truncated } = buildWalk(rows, "src", ["a"], 32);
    expect(truncated).toBe(false);
    expect(walk[2]!.path).toEqual([s("src", "a"), s("d1", "b", "j1"), s("m")]);
    expect(walk[3]!.path).toEqual([s("src", "a"), s("d2", "c", "j2"), s("m")]);
    expect(summarizeImpact(walk, nodes, "src").map((n) => n.name)).toEqual([
      "marts",
      "staging",
      "build",
      "ingest",
      "churn",
    ]);
  });

  it("a cycle's repeated layers reuse the shallowest path and are not truncation", () => {
    // src.a → d1.b → src.a → d1.b … repeated per layer up to the cap.
    const rows: ParentRow[] = [];
    for (let d = 1; d <= 4; d++)
      rows.push(d % 2 === 1 ? r("d1", "b", d, "src", "a", "j1") : r("src", "a", d, "d1", "b", "j2"));
    const { walk, truncated } = buildWalk(rows, "src", ["a"], 4);
    expect(truncated).toBe(false);
    for (const w of walk) expect(w.path.length).toBeLessThanOrEqual(3);
    const out = summarizeImpact(walk, nodes, "src");
    expect(out.map((n) => `${n.depth} ${n.name}`)).toEqual(["1 staging", "1 ingest", "2 build"]);
  });

  it("a state first reached at the depth cap means the walk was cut", () => {
    const rows = [r("d1", "b", 1, "src", "a"), r("d2", "", 2, "d1", "b")];
    expect(buildWalk(rows, "src", ["a"], 2).truncated).toBe(true);
    expect(buildWalk(rows, "src", ["a"], 3).truncated).toBe(false);
  });
});

const change = (
  c: Partial<SchemaChange> & Pick<SchemaChange, "kind" | "path" | "breaking">,
): SchemaChange => ({
  reason: "r",
  ...c,
});

describe("readerImpactFields", () => {
  it("takes breaking reader-side changes at their old paths", () => {
    expect(
      readerImpactFields([
        change({ kind: "field_removed", path: "a", breaking: true }),
        change({ kind: "type_changed", path: "addr.zip", breaking: true }),
        change({
          kind: "possible_rename",
          path: "addr.city_name",
          from: "city",
          to: "city_name",
          breaking: true,
        }),
        change({ kind: "nullability_changed", path: "b", breaking: true }),
        change({ kind: "field_added", path: "req", breaking: true }), // breaks producers, not readers
        change({ kind: "field_added", path: "opt", breaking: false }),
        change({ kind: "description_changed", path: "c", breaking: false }),
      ]),
    ).toEqual(["a", "addr.city", "addr.zip", "b"]);
  });
});

describe("schemaIncident", () => {
  const base = {
    projectId: "p",
    dataset: { namespace: "ns", name: "orders" },
    version: 3,
    previousVersion: 2,
    hash: "sha256:abc",
    changes: [
      change({ kind: "field_removed", path: "b", breaking: true }),
      change({ kind: "field_removed", path: "a", breaking: true }),
      change({ kind: "field_added", path: "c", breaking: false }),
    ],
    impacted: [],
    source: "api",
  };

  it("fingerprints dataset + sorted breaking paths + new hash, independent of change order", () => {
    const o = schemaIncident(base);
    expect(o.kind).toBe("schema");
    expect(o.fingerprint).toBe("ns/orders|field_removed:a,field_removed:b|sha256:abc");
    expect(schemaIncident({ ...base, changes: [...base.changes].reverse() }).fingerprint).toBe(o.fingerprint);
    expect(schemaIncident({ ...base, hash: "sha256:def" }).fingerprint).not.toBe(o.fingerprint);
    expect(o.title).toBe("Breaking schema change in orders (v2 → v3): 2 breaking changes");
    expect(o.severity).toBe("error");
    expect((o.sample as { breakingChanges: unknown[] }).breakingChanges).toHaveLength(2);
  });

  it("is critical when a model reads an affected field, and counts downstream nodes in the title", () => {
    const o = schemaIncident({
      ...base,
      impacted: [
        { kind: "job", namespace: "etl", name: "j", fields: [], depth: 1, path: [] },
        { kind: "model", namespace: "default", name: "m", fields: [], depth: 2, path: [] },
      ],
    });
    expect(o.severity).toBe("critical");
    expect(o.title).toMatch(/, 2 downstream nodes affected$/);
  });
});
