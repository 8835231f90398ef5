import { describe, expect, it } from "vitest";
import type { NodeInfo } from "../../src/schemas/impact-paths.ts";
import {
  assembleLineageGraph,
  MAX_FIELD_EDGES,
  MAX_LINEAGE_NODES,
  type ReachedRow,
} from "../../src/schemas/lineage-graph.ts";

const center: NodeInfo = { id: "c", kind: "dataset", namespace: "wh", name: "center" };
const reached = (
  direction: ReachedRow["direction"],
  id: string,
  depth: number,
  kind: NodeInfo["kind"] = "dataset",
): ReachedRow => ({ direction, id, kind, namespace: "wh", name: id, depth });
const fieldEdge = (fromNode: string, toNode: string, via: string | null = null) => ({
  fromNode,
  fromField: "f",
  toNode,
  toField: "g",
  via,
  transformations: [],
});

describe("assembleLineageGraph", () => {
  it("keeps each node once per side at its shortest depth, never the dataset itself, nearest first", () => {
    const g = assembleLineageGraph({
      dataset: center,
      depth: 3,
      reached: [
        reached("downstream", "b", 3),
        reached("downstream", "j", 1, "job"),
        reached("downstream", "b", 2),
        reached("downstream", "c", 2), // a cycle back to the dataset
        reached("downstream", "a", 2, "model"),
        reached("upstream", "j", 1, "job"), // on a cycle: on both sides
      ],
      edges: [],
      fieldEdges: [],
    });
    expect(g.downstream.map((n) => `${n.depth} ${n.kind}:${n.name}`)).toEqual([
      "1 job:j",
      "2 dataset:b",
      "2 model:a",
    ]);
    expect(g.upstream.map((n) => n.id)).toEqual(["j"]);
    expect(g.dataset).toEqual({ id: "c", namespace: "wh", name: "center" });
    expect(g.truncated).toBe(false);
  });

  it("keeps only edges whose both ends are listed, once each, without self-loops", () => {
    const g = assembleLineageGraph({
      dataset: center,
      depth: 2,
      reached: [reached("downstream", "j", 1, "job"), reached("upstream", "u", 1, "job")],
      edges: [
        { from: "c", to: "j" },
        { from: "c", to: "j" },
        { from: "u", to: "c" },
        { from: "j", to: "far" }, // `far` was not reached
        { from: "j", to: "j" },
      ],
      fieldEdges: [
        fieldEdge("u", "c"),
        fieldEdge("c", "far"),
        fieldEdge("c", "j", "gone"), // through a job not listed
      ],
    });
    expect(g.edges).toEqual([
      { from: "c", to: "j" },
      { from: "u", to: "c" },
    ]);
    expect(g.fieldEdges).toEqual([
      { from: { node: "u", field: "f" }, to: { node: "c", field: "g" }, via: null, transformations: [] },
    ]);
  });

  it("past the caps: the nearest nodes, and truncated", () => {
    const many = Array.from({ length: MAX_LINEAGE_NODES + 5 }, (_, i) =>
      reached("upstream", `n${String(i).padStart(4, "0")}`, i < 10 ? 1 : 2),
    );
    const g = assembleLineageGraph({
      dataset: center,
      depth: 2,
      reached: many.reverse(),
      edges: [],
      fieldEdges: [],
    });
    expect(g.upstream).toHaveLength(MAX_LINEAGE_NODES);
    expect(g.upstream.slice(0, 10).every((n) => n.depth === 1)).toBe(true);
    expect(g.truncated).toBe(true);

    const fields = Array.from({ length: MAX_FIELD_EDGES + 1 }, () => fieldEdge("c", "c"));
    const f = assembleLineageGraph({ dataset: center, depth: 1, reached: [], edges: [], fieldEdges: fields });
    expect(f.fieldEdges).toHaveLength(MAX_FIELD_EDGES);
    expect(f.truncated).toBe(true);
    // The query stopping at its own cap says so too.
    expect(
      assembleLineageGraph({
        dataset: center,
        depth: 1,
        reached: [],
        edges: [],
        fieldEdges: [],
        capped: true,
      }).truncated,
    ).toBe(true);
  });
});
