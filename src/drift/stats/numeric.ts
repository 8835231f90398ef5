/**
 * Small numeric helpers shared by the tests. Everything works on Float64Array so hot loops
 * never touch boxed numbers or generic arrays.
 */

/** A sorted copy (the one sort each sample gets). TypedArray#sort without a comparator is numeric. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  out.sort();
  return out;
}

/**
 * Compensated (Neumaier) sum. numpy sums pairwise; both are within a few ulps of the exact sum,
 * which is what lets results match scipy to 1e-9 even on 10^6 values.
 */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) c += s - t + v;
    else c += v - t + s;
    s = t;
  }
  return s + c;
}

export function mean(values: ArrayLike<number>): number {
  return sum(values) / values.length;
}

/** Variance with `ddof` (0 = population, as np.var; 1 = sample, as ttest_ind). Two-pass, compensated. */
export function variance(values: ArrayLike<number>, ddof = 0): number {
  const n = values.length;
  const m = mean(values);
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    const v = d * d;
    const t = s + v;
    if (s >= v) c += s - t + v;
    else c += v - t + s;
    s = t;
  }
  return (s + c) / (n - ddof);
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** numpy's np.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

export const clamp01 = (p: number): number => (p < 0 ? 0 : Math.min(p, 1));

/**
 * Merged walk over two sorted samples, one call per distinct value v in their union:
 * (v, a count ≤ v, b count ≤ v, ties of v in a, ties of v in b). Used by KS, ranks, CDF distances.
 */
export function walkDistinct(
  a: Float64Array,
  b: Float64Array,
  visit: (value: number, countA: number, countB: number, tiesA: number, tiesB: number) => void,
): void {
  let i = 0;
  let j = 0;
  const n = a.length;
  const m = b.length;
  while (i < n || j < m) {
    const v = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const i0 = i;
    const j0 = j;
    while (i < n && a[i] === v) i++;
    while (j < m && b[j] === v) j++;
    visit(v, i, j, i - i0, j - j0);
  }
}
