/**
 * What a drift report shows of each column next to its test: the reference and current samples
 * binned the same way. Numerical columns: equal-width bins over the pooled range (binning.ts, the
 * code PSI bins with). Categorical columns: the most common categories, the rest in one "other"
 * bucket, so a column with thousands of values still stores a few dozen numbers. Missing values
 * are the ones the tests leave out (prepare.ts), counted beside the bins.
 */
import { sharedHistogram } from "./binning.ts";
import type { PreparedColumn } from "./prepare.ts";
import type { Distribution } from "./schema.ts";

/** Enough bins to see a shape on a small chart, few enough to label. */
export const DISTRIBUTION_BINS = 20;
/** Categories shown one by one; the others go to the "other" bucket. */
export const DISTRIBUTION_CATEGORIES = 20;
/** Longer category labels are cut: the report stores labels to show them, not to match them. */
export const MAX_LABEL_LENGTH = 200;

type Missing = { reference: number; current: number };

/** Both samples' finite values (any order) in DISTRIBUTION_BINS shared bins. */
export function numericDistribution(
  reference: Float64Array,
  current: Float64Array,
  missing: Missing,
  bins = DISTRIBUTION_BINS,
): Extract<Distribution, { kind: "histogram" }> {
  if (reference.length === 0 && current.length === 0)
    return { kind: "histogram", edges: [], reference: [], current: [], missing };
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
