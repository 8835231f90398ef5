import { describe, expect, it } from "vitest";
import { ingestBatches } from "../../src/rag/cli.ts";

const file = (path: string, bytes: number) => ({ path, content: "x".repeat(bytes) });

describe("ingestBatches", () => {
  it("splits by file count, in order", () => {
    const files = Array.from({ length: 7 }, (_, i) => file(`${i}.md`, 1));
    expect(ingestBatches(files, 3, 1000).map((b) => b.map((f) => f.path))).toEqual([
      ["0.md", "1.md", "2.md"],
      ["3.md", "4.md", "5.md"],
      ["6.md"],
    ]);
  });

  it("splits by bytes; a file larger than the budget goes alone", () => {
    const files = [file("a", 40), file("b", 40), file("c", 30), file("big", 500), file("d", 10)];
    expect(ingestBatches(files, 50, 100).map((b) => b.map((f) => f.path))).toEqual([
      ["a", "b"],
      ["c"],
      ["big"],
      ["d"],
    ]);
  });

  it("counts bytes, not characters", () => {
    const files = [
      { path: "é", content: "é".repeat(30) },
      { path: "e", content: "e".repeat(30) },
    ];
    expect(ingestBatches(files, 50, 80)).toHaveLength(2);
    expect(ingestBatches([]).length).toBe(0);
  });
});
