import { describe, expect, it } from "vitest";
import { binNumeric } from "../../../src/drift/stats/binning.ts";
import {
  categoricalDistribution,
  columnDistribution,
  DISTRIBUTION_BINS,
  MAX_LABEL_LENGTH,
  numericDistribution,
} from "../../../src/drift/stats/distribution.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";
import { prepareColumn } from "../../../src/drift/stats/prepare.ts";

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const none = { reference: 0, current: 0 };

describe("numericDistribution", () => {
  const ref = generateSample({ dist: "normal", n: 3000, seed: 1 });
  const cur = generateSample({ dist: "normal", n: 500, seed: 2, loc: 1.5 });

  it("shares equal-width edges over the pooled range; each sample's counts sum to its size", () => {
    const d = numericDistribution(ref, cur, none);
    expect(d.edges).toHaveLength(DISTRIBUTION_BINS + 1);
    expect(d.edges[0]).toBe(Math.min(...ref, ...cur));
    expect(d.edges.at(-1)).toBe(Math.max(...ref, ...cur));
    const widths = d.edges.slice(1).map((e, i) => e - d.edges[i]!);
    for (const w of widths) expect(w).toBeCloseTo(widths[0]!, 9);
    expect(sum(d.reference)).toBe(ref.length);
    expect(sum(d.current)).toBe(cur.length);
    // The shift shows: the current's mass sits in higher bins than the reference's.
    const meanBin = (c: number[]) => sum(c.map((n, i) => n * i)) / sum(c);
    expect(meanBin(d.current)).toBeGreaterThan(meanBin(d.reference) + 3);
  });

  it("counts what PSI bins (the same code), with a value on the last edge in the last bin", () => {
    const d = numericDistribution(ref, cur, none, 30);
    const psi = binNumeric(ref, cur, 30);
    expect(psi.kind).toBe("histogram");
    expect(d.reference.map((n) => n / ref.length)).toEqual(Array.from(psi.reference));
    expect(d.current.map((n) => n / cur.length)).toEqual(Array.from(psi.current));
    const onEdges = numericDistribution(Float64Array.of(0.5, 10.5), Float64Array.of(5.5), none, 2);
    expect(onEdges).toMatchObject({ edges: [0.5, 5.5, 10.5], reference: [1, 1], current: [0, 1] });
    expect(onEdges.integers).toBeUndefined();
  });

  it("whole numbers over a short range: bins aligned to them, each holding as many values", () => {
    // Hours 0..23, every hour 10 times in the reference; the current only at night.
    const hours = Float64Array.from({ length: 240 }, (_, i) => i % 24);
    const night = Float64Array.from({ length: 60 }, (_, i) => i % 6);
    const d = numericDistribution(hours, night, none);
    expect(d.integers).toBe(true);
    // 24 values in at most 20 bins: 2 per bin, 12 bins, edges halfway between hours.
    expect(d.edges).toEqual(Array.from({ length: 13 }, (_, i) => -0.5 + 2 * i));
    expect(d.reference).toEqual(new Array(12).fill(20)); // flat, no sawtooth
    expect(d.current).toEqual([20, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // A wide integer range (income in dollars) is binned like any numbers.
    const wide = numericDistribution(Float64Array.of(1000, 52_000, 99_000), Float64Array.of(5000), none);
    expect(wide.integers).toBeUndefined();
    expect(wide.edges).toHaveLength(DISTRIBUTION_BINS + 1);
    expect(sum(wide.reference)).toBe(3);
  });

  it("a constant column is one bin around the value", () => {
    const d = numericDistribution(new Float64Array(40).fill(7), new Float64Array(10).fill(7), none);
    expect(d.edges[0]).toBe(6.5);
    expect(d.edges.at(-1)).toBe(7.5);
    expect(d.reference.filter((n) => n > 0)).toEqual([40]);
    expect(d.current.filter((n) => n > 0)).toEqual([10]);
    expect(d.reference.indexOf(40)).toBe(d.current.indexOf(10));
  });

  it("an empty current window: the reference's bins, zero current counts; nothing at all: no bins", () => {
    const d = numericDistribution(Float64Array.of(1, 2, 3, 4.5), new Float64Array(0), {
      reference: 0,
      current: 8,
    });
    expect(d.edges[0]).toBe(1);
    expect(d.edges.at(-1)).toBe(4.5);
    expect(sum(d.reference)).toBe(4);
    expect(d.current).toEqual(new Array(DISTRIBUTION_BINS).fill(0));
    expect(d.missing).toEqual({ reference: 0, current: 8 });
    expect(numericDistribution(new Float64Array(0), new Float64Array(0), none)).toMatchObject({
      edges: [],
      reference: [],
      current: [],
    });
  });
});

describe("categoricalDistribution", () => {
  it("many categories: the top ones by share, the rest in other; totals kept", () => {
    const labels = Array.from({ length: 100 }, (_, i) => `c${String(i).padStart(3, "0")}`);
    // Reference: c000 most common, decreasing; current: tiny, but all of it in c099 (new there).
    const ref = labels.map((_, i) => (i === 99 ? 0 : 1000 - i * 10));
    const cur = labels.map((_, i) => (i === 99 ? 5 : 0));
    const d = categoricalDistribution(labels, ref, cur, { reference: 3, current: 1 }, 20);
    expect(d.labels).toHaveLength(20);
    // c099 is 0.5% of no reference row but 100% of the current: ranked first, not hidden by size.
    expect(d.labels[0]).toBe("c099");
    expect(d.labels.slice(1)).toEqual(labels.slice(0, 19));
    expect(d.other.categories).toBe(80);
    expect(sum(d.reference) + d.other.reference).toBe(sum(ref));
    expect(sum(d.current) + d.other.current).toBe(5);
    expect(d.missing).toEqual({ reference: 3, current: 1 });
  });

  it("few categories: all shown, no other; numeric labels in value order; long labels cut", () => {
    const d = categoricalDistribution(["10", "2", "-1"], [1, 5, 3], [4, 0, 0], none);
    expect(d.labels).toEqual(["-1", "2", "10"]);
    expect(d.reference).toEqual([3, 5, 1]);
    expect(d.current).toEqual([0, 0, 4]);
    expect(d.other).toEqual({ reference: 0, current: 0, categories: 0 });
    const long = "x".repeat(5000);
    const cut = categoricalDistribution([long, "b"], [2, 1], [1, 0], none);
    expect(cut.labels).toEqual([`${"x".repeat(MAX_LABEL_LENGTH - 1)}…`, "b"]);
  });

  it("an empty current window ranks by the reference alone", () => {
    const d = categoricalDistribution(["a", "b"], [1, 9], [0, 0], none);
    expect(d.labels).toEqual(["b", "a"]);
    expect(d.current).toEqual([0, 0]);
  });
});

describe("columnDistribution", () => {
  it("leaves out what the tests leave out (null, NaN, ±Infinity, ''), counted as missing", () => {
    const ref = [1.5, null, 2.5, Number.NaN, 3.25, 4.75, "", 6.5, 7.25, 8, 9.5, 10.5, 11, 12.5];
    const cur = [2, Number.POSITIVE_INFINITY, undefined, 3.5, 5.5];
    const column = prepareColumn("x", ref, cur, "numerical");
    const d = columnDistribution(column);
    expect(d.kind).toBe("histogram");
    expect(d.missing).toEqual(column.missing);
    expect(d.missing).toEqual({ reference: 3, current: 2 });
    expect(sum(d.reference)).toBe(column.referenceSize);
    expect(sum(d.current)).toBe(column.currentSize);
  });

  it("categorical columns (strings, integer codes) as categories", () => {
    const strings = columnDistribution(prepareColumn("plan", ["a", "b", "a", null], ["b", "c"]));
    // b: 1/3 of the reference + 1/2 of the current; a: 2/3 + 0; c: 0 + 1/2.
    expect(strings).toMatchObject({ kind: "categories", labels: ["b", "a", "c"], missing: { reference: 1 } });
    const codes = columnDistribution(prepareColumn("n", [1, 2, 2, 3], [3, 3, 1]));
    expect(codes).toMatchObject({ kind: "categories", labels: ["1", "2", "3"], reference: [1, 2, 1] });
  });
});
