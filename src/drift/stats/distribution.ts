/**
 * What a drift report shows of each column next to its test: the reference and current samples
 * binned the same way. Numerical columns: equal-width bins over the pooled range, counted by the
 * code PSI bins with (binning.ts); whole numbers over a short range in bins aligned to them.
 * Categorical columns: the most common categories, the rest in one "other"
 * bucket, so a column with thousands of values still stores a few dozen numbers. Missing values
 * are the ones the tests leave out (prepare.ts), counted beside the bins.
 */
import { histogram, sharedHistogram } from "./binning.ts";
import type { PreparedColumn } from "./prepare.ts";
import type { Distribution } from "./schema.ts";

/** Enough bins to see a shape on a small chart, few enough to label. */
export const DISTRIBUTION_BINS = 20;
/** Categories shown one by one; the others go to the "other" bucket. */
export const DISTRIBUTION_CATEGORIES = 20;
/** Longer category labels are cut: the report stores labels to show them, not to match them. */
export const MAX_LABEL_LENGTH = 200;

type Missing = { reference: number; current: number };

/** Whole numbers spanning at most this many bins × this many values get bins aligned to them. */
const INTEGER_VALUES_PER_BIN = 20;

/** The pooled [min, max] of two samples and whether every value is a whole number. */
function pooledRange(a: Float64Array, b: Float64Array) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (const values of [a, b])
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      if (integers && !Number.isInteger(v)) integers = false;
    }
  return { min, max, integers };
}

/**
 * Edges halfway between whole numbers, each bin holding the same count of them: equal-width bins
 * over 0..23 would hold one hour in some bins and two in others, a sawtooth that is not in the data.
 */
function integerEdges(min: number, max: number, bins: number): Float64Array {
  const width = Math.ceil((max - min + 1) / bins);
  const n = Math.ceil((max - min + 1) / width);
  return Float64Array.from({ length: n + 1 }, (_, i) => min - 0.5 + i * width);
}

/**
 * Both samples' finite values (any order) in about DISTRIBUTION_BINS shared bins: equal-width over
 * the pooled range, or for whole numbers over a short range, bins aligned to them (`integers`).
 */
export function numericDistribution(
  reference: Float64Array,
  current: Float64Array,
  missing: Missing,
  bins = DISTRIBUTION_BINS,
): Extract<Distribution, { kind: "histogram" }> {
  if (reference.length === 0 && current.length === 0)
    return { kind: "histogram", edges: [], reference: [], current: [], missing };
  const { min, max, integers } = pooledRange(reference, current);
  if (integers && max - min < bins * INTEGER_VALUES_PER_BIN) {
    const edges = integerEdges(min, max, bins);
    return {
      kind: "histogram",
      edges: Array.from(edges),
      reference: Array.from(histogram(reference, edges)),
      current: Array.from(histogram(current, edges)),
      integers: true,
      missing,
    };
  }
  const h = sharedHistogram(reference, current, bins);
  return {
    kind: "histogram",
    edges: Array.from(h.edges),
    reference: Array.from(h.reference),
    current: Array.from(h.current),
    missing,
  };
}

const cut = (label: string) =>
  label.length > MAX_LABEL_LENGTH ? `${label.slice(0, MAX_LABEL_LENGTH - 1)}…` : label;

const isNumberLabel = (label: string) => label.trim() !== "" && Number.isFinite(Number(label));

/**
 * The `top` categories with the largest share of the reference plus share of the current — by
 * share, not count, so a category new in a small current window is not hidden by a large
 * reference — and the rest summed into `other`. Shown by that rank, or by value when every label
 * shown is a number (integer codes read best in order).
 */
export function categoricalDistribution(
  labels: readonly string[],
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  missing: Missing,
  top = DISTRIBUTION_CATEGORIES,
): Extract<Distribution, { kind: "categories" }> {
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < labels.length; i++) {
    refTotal += reference[i]!;
    curTotal += current[i]!;
  }
  const share = (i: number) =>
    (refTotal > 0 ? reference[i]! / refTotal : 0) + (curTotal > 0 ? current[i]! / curTotal : 0);
  const ranked = labels
    .map((label, i) => ({ label, i, share: share(i) }))
    .filter((c) => reference[c.i]! > 0 || current[c.i]! > 0)
    .sort((a, b) => b.share - a.share || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const shown = ranked.slice(0, top);
  if (shown.every((c) => isNumberLabel(c.label))) shown.sort((a, b) => Number(a.label) - Number(b.label));
  const other = { reference: refTotal, current: curTotal, categories: ranked.length - shown.length };
  for (const c of shown) {
    other.reference -= reference[c.i]!;
    other.current -= current[c.i]!;
  }
  return {
    kind: "categories",
    labels: shown.map((c) => cut(c.label)),
    reference: shown.map((c) => reference[c.i]!),
    current: shown.map((c) => current[c.i]!),
    other,
    missing,
  };
}

/** A prepared column's distribution: a histogram when it is tested as numbers, else categories. */
export function columnDistribution(column: PreparedColumn): Distribution {
  if (column.type === "numerical" && column.refSorted && column.curSorted)
    return numericDistribution(column.refSorted, column.curSorted, column.missing);
  const { labels, ref, cur } = column.categories();
  return categoricalDistribution(labels, ref, cur, column.missing);
}
