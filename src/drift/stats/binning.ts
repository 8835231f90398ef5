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

/** np.histogram's bin of one value for uniform edges, with its off-by-one corrections (−1: outside). */
function binOf(v: number, edges: Float64Array, norm: number): number {
  const bins = edges.length - 1;
  const first = edges[0]!;
  if (v < first || v > edges[bins]!) return -1;
  let idx = Math.trunc((v - first) * norm);
  if (idx === bins) idx -= 1;
  if (v < edges[idx]!) idx -= 1;
  else if (v >= edges[idx + 1]! && idx !== bins - 1) idx += 1;
  return idx;
}

const HALF_ULP = 2 ** -53;

/**
 * np.histogram counts for uniform edges, any order. Most values are binned by their scaled
 * position t = (v − first)·bins/(last − first) alone: when t is farther than `tol` from an
 * integer, trunc(t) is the bin the edge comparisons would give (tol bounds the rounding of t and
 * of the edges, relative to the bin width). Values closer to an edge, outside the range, or any
 * case the bound does not cover (tol NaN or ≥ ½) take binOf, numpy's exact path. Four count
 * lanes so consecutive values landing in the same bin do not wait on each other's increment.
 * The edges must span the values (binNumeric's pooled range): a value far beyond the last edge
 * would wrap in `t | 0`.
 */
export function histogram(values: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  const norm = bins / (last - first);
  const width = last - first;
  const tol = 4 * HALF_ULP * bins * (8 + Math.max(Math.abs(first), Math.abs(last)) / width);
  const halfTol = 0.5 - tol;
  const lane0 = new Int32Array(bins);
  const lane1 = new Int32Array(bins);
  const lane2 = new Int32Array(bins);
  const lane3 = new Int32Array(bins);
  const n = values.length;
  let q = 0;
  for (; q + 3 < n; q += 4) {
    const t0 = (values[q]! - first) * norm;
    const t1 = (values[q + 1]! - first) * norm;
    const t2 = (values[q + 2]! - first) * norm;
    const t3 = (values[q + 3]! - first) * norm;
    const i0 = t0 | 0;
    const i1 = t1 | 0;
    const i2 = t2 | 0;
    const i3 = t3 | 0;
    const f0 = t0 - i0;
    const f1 = t1 - i1;
    const f2 = t2 - i2;
    const f3 = t3 - i3;
    // |f − ½| < ½ − tol ⇔ tol < f < 1 − tol (and false for tol NaN or ≥ ½).
    if (
      Math.abs(f0 - 0.5) < halfTol &&
      Math.abs(f1 - 0.5) < halfTol &&
      Math.abs(f2 - 0.5) < halfTol &&
      Math.abs(f3 - 0.5) < halfTol
    ) {
      lane0[i0]!++;
      lane1[i1]!++;
      lane2[i2]!++;
      lane3[i3]!++;
    } else {
      for (let k = q; k < q + 4; k++) {
        const idx = binOf(values[k]!, edges, norm);
        if (idx >= 0) lane0[idx]!++;
      }
    }
  }
  for (; q < n; q++) {
    const idx = binOf(values[q]!, edges, norm);
    if (idx >= 0) lane0[idx]!++;
  }
  const counts = new Float64Array(bins);
  for (let i = 0; i < bins; i++) counts[i] = lane0[i]! + lane1[i]! + lane2[i]! + lane3[i]!;
  return counts;
}

/**
 * Widen `range` ([min, max]) to cover `values`. Math.min/max over four accumulator pairs: no
 * unpredictable branch, and four independent dependency chains the CPU can run side by side.
 */
function widenRange(values: Float64Array, range: Float64Array): void {
  let lo0 = range[0]!;
  let hi0 = range[1]!;
  let lo1 = lo0;
  let hi1 = hi0;
  let lo2 = lo0;
  let hi2 = hi0;
  let lo3 = lo0;
  let hi3 = hi0;
  const n = values.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const v0 = values[i]!;
    const v1 = values[i + 1]!;
    const v2 = values[i + 2]!;
    const v3 = values[i + 3]!;
    lo0 = Math.min(lo0, v0);
    hi0 = Math.max(hi0, v0);
    lo1 = Math.min(lo1, v1);
    hi1 = Math.max(hi1, v1);
    lo2 = Math.min(lo2, v2);
    hi2 = Math.max(hi2, v2);
    lo3 = Math.min(lo3, v3);
    hi3 = Math.max(hi3, v3);
  }
  for (; i < n; i++) {
    lo0 = Math.min(lo0, values[i]!);
    hi0 = Math.max(hi0, values[i]!);
  }
  range[0] = Math.min(lo0, lo1, lo2, lo3);
  range[1] = Math.max(hi0, hi1, hi2, hi3);
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
 * Equal-width bins over the pooled [min, max] of two samples (any order, finite values, not both
 * empty) and each sample's counts: PSI's histogram, and the distributions a drift report shows.
 */
export function sharedHistogram(
  reference: Float64Array,
  current: Float64Array,
  bins = DEFAULT_BINS,
): { edges: Float64Array; reference: Float64Array; current: Float64Array } {
  const range = Float64Array.of(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
  widenRange(reference, range);
  widenRange(current, range);
  const edges = binEdges(range[0]!, range[1]!, bins);
  return { edges, reference: histogram(reference, edges), current: histogram(current, edges) };
}

/**
 * Bin two numeric samples (numerical column), in any order: no sorting needed, one pass for the
 * range and one for the counts. Values must be finite (missing values are removed before tests
 * run; numpy rejects a non-finite range too).
 */
export function binNumeric(reference: Float64Array, current: Float64Array, bins = DEFAULT_BINS): Binned {
  if (moreDistinctThan(reference, MAX_DISTINCT_FOR_CATEGORY_BINS)) {
    const h = sharedHistogram(reference, current, bins);
    return {
      reference: proportions(h.reference, reference.length),
      current: proportions(h.current, current.length),
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
