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

/** np.histogram's bin index for uniform edges, with its off-by-one corrections. */
function histogram(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  const counts = new Float64Array(bins);
  const norm = bins / (last - first);
  for (let q = 0; q < sorted.length; q++) {
    const v = sorted[q]!;
    if (v < first || v > last) continue;
    let idx = Math.trunc((v - first) * norm);
    if (idx === bins) idx -= 1;
    if (v < edges[idx]!) idx -= 1;
    else if (v >= edges[idx + 1]! && idx !== bins - 1) idx += 1;
    counts[idx]! += 1;
  }
  return counts;
}

function distinctCount(sorted: Float64Array): number {
  let c = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) c++;
  return c;
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

/** Bin two sorted numeric samples (numerical column). */
export function binNumeric(reference: Float64Array, current: Float64Array, bins = DEFAULT_BINS): Binned {
  if (distinctCount(reference) > MAX_DISTINCT_FOR_CATEGORY_BINS) {
    const min = Math.min(reference[0]!, current[0]!);
    const max = Math.max(reference[reference.length - 1]!, current[current.length - 1]!);
    const edges = binEdges(min, max, bins);
    return {
      reference: proportions(histogram(reference, edges), reference.length),
      current: proportions(histogram(current, edges), current.length),
      kind: "histogram",
    };
  }
  const vc = valueCounts(reference, current);
  return {
    reference: proportions(vc.a, reference.length),
    current: proportions(vc.b, current.length),
    kind: "categories",
  };
}
