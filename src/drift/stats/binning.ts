/**
 * Turning two samples into two aligned probability vectors for the divergence tests
 * (PSI, KL, Jensen–Shannon, Hellinger), following Evidently's `get_binned_data`:
 *
 * - Numerical column whose reference has more than 20 distinct values: 30 equal-width bins over
 *   the pooled [min, max] of reference and current (np.histogram_bin_edges(pooled, 30); the last
 *   bin is closed). The same edges serve both samples, so the vectors are comparable.
 * - Otherwise (categorical, or numerical with ≤ 20 distinct reference values): one bin per
 *   distinct value seen in either sample.
 * - Empty bins (a category unseen in one sample, an empty histogram bin) would make PSI/KL
 *   infinite, so zero proportions are replaced by a small epsilon: 1e-4, or, when the smallest
 *   non-zero proportion of that sample is itself ≤ 1e-4, that proportion / 10⁶. Hellinger needs no
 *   fill and uses the raw proportions.
 */
export const DEFAULT_BINS = 30;
export const MAX_DISTINCT_FOR_CATEGORY_BINS = 20;

export interface Binned {
  reference: Float64Array;
  current: Float64Array;
  /** "histogram" (equal-width bins) or "categories" (one bin per value). */
  kind: "histogram" | "categories";
}

/** np.linspace(first, last, bins + 1) for np.histogram_bin_edges (with its ±0.5 on a flat range). */
function binEdges(min: number, max: number, bins: number): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** np.histogram's bin index for uniform edges, with its off-by-one corrections. Any order. */
function histogram(values: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  const counts = new Float64Array(bins);
  const norm = bins / (last - first);
  for (let q = 0; q < values.length; q++) {
    const v = values[q]!;
    if (v < first || v > last) continue;
    let idx = Math.trunc((v - first) * norm);
    if (idx === bins) idx -= 1;
    if (v < edges[idx]!) idx -= 1;
    else if (v >= edges[idx + 1]! && idx !== bins - 1) idx += 1;
    counts[idx]! += 1;
  }
  return counts;
}

function minMax(values: Float64Array, into: [number, number]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < into[0]) into[0] = v;
    if (v > into[1]) into[1] = v;
  }
}

/** Aligned per-value counts for few-valued samples in any order (Map, then ascending values). */
function smallValueCounts(a: Float64Array, b: Float64Array): { a: Float64Array; b: Float64Array } {
  const m = new Map<number, [number, number]>();
  for (let i = 0; i < a.length; i++) {
    const c = m.get(a[i]!);
    if (c) c[0]++;
    else m.set(a[i]!, [1, 0]);
  }
  for (let i = 0; i < b.length; i++) {
    const c = m.get(b[i]!);
    if (c) c[1]++;
    else m.set(b[i]!, [0, 1]);
  }
  const keys = [...m.keys()].sort((x, y) => x - y);
  return { a: Float64Array.from(keys, (k) => m.get(k)![0]), b: Float64Array.from(keys, (k) => m.get(k)![1]) };
}

/** Whether a sample has more than `limit` distinct values (stops early; needs no sorting). */
function moreDistinctThan(values: Float64Array, limit: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    seen.add(values[i]!);
    if (seen.size > limit) return true;
  }
  return false;
}

/** Zero proportions → epsilon, as documented above. */
export function fillZeroes(p: Float64Array): Float64Array {
  let minNz = Number.POSITIVE_INFINITY;
  for (const v of p) if (v !== 0 && v < minNz) minNz = v;
  if (!Number.isFinite(minNz)) return p;
  const fill = minNz <= 0.0001 ? minNz / 1e6 : 0.0001;
  const out = Float64Array.from(p);
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill;
  return out;
}

/** Proportions from aligned counts. */
export function proportions(counts: Float64Array, total: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}

/** Aligned per-value counts for two sorted numeric samples (union of values, ascending). */
export function valueCounts(
  a: Float64Array,
  b: Float64Array,
): { values: Float64Array; a: Float64Array; b: Float64Array } {
  const values: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const i0 = i;
    const j0 = j;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    values.push(v);
    ca.push(i - i0);
    cb.push(j - j0);
  }
  return { values: Float64Array.from(values), a: Float64Array.from(ca), b: Float64Array.from(cb) };
}

/**
 * Bin two numeric samples (numerical column), in any order: no sorting needed, one pass for the
 * range and one for the counts.
 */
export function binNumeric(reference: Float64Array, current: Float64Array, bins = DEFAULT_BINS): Binned {
  if (moreDistinctThan(reference, MAX_DISTINCT_FOR_CATEGORY_BINS)) {
    const range: [number, number] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    minMax(reference, range);
    minMax(current, range);
    const edges = binEdges(range[0], range[1], bins);
    return {
      reference: proportions(histogram(reference, edges), reference.length),
      current: proportions(histogram(current, edges), current.length),
      kind: "histogram",
    };
  }
  // ≤ 20 distinct reference values: one bin per value (the current may add unseen ones).
  const vc = smallValueCounts(reference, current);
  return {
    reference: proportions(vc.a, reference.length),
    current: proportions(vc.b, current.length),
    kind: "categories",
  };
}

/** First index whose value is ≥ x in a sorted array (numpy searchsorted side="left"). */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin [e_i, e_i+1) (the last bin closed) of a sorted sample: one binary search per edge. */
function histogramSorted(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let prev = lowerBound(sorted, edges[0]!);
  for (let i = 0; i < bins - 1; i++) {
    const next = lowerBound(sorted, edges[i + 1]!);
    counts[i] = next - prev;
    prev = next;
  }
  let end = sorted.length;
  while (end > prev && sorted[end - 1]! > edges[bins]!) end--;
  counts[bins - 1] = end - prev;
  return counts;
}

/** Whether a sorted sample has more than `limit` distinct values (stops at the limit). */
function sortedMoreDistinctThan(sorted: Float64Array, limit: number): boolean {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length && distinct <= limit; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct > limit;
}

/**
 * binNumeric for samples already sorted (compareDatasets sorts each column once for all tests):
 * the range is the ends of the arrays and each bin edge is one binary search — O(bins·log n)
 * instead of a pass over every value. Same edges, same counts.
 */
export function binNumericSorted(
  reference: Float64Array,
  current: Float64Array,
  bins = DEFAULT_BINS,
): Binned {
  if (!sortedMoreDistinctThan(reference, MAX_DISTINCT_FOR_CATEGORY_BINS))
    return binNumeric(reference, current, bins);
  const min = Math.min(reference[0]!, current[0]!);
  const max = Math.max(reference[reference.length - 1]!, current[current.length - 1]!);
  const edges = binEdges(min, max, bins);
  return {
    reference: proportions(histogramSorted(reference, edges), reference.length),
    current: proportions(histogramSorted(current, edges), current.length),
    kind: "histogram",
  };
}
