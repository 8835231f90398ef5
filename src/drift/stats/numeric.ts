/**
 * Small numeric helpers shared by the tests. Everything works on Float64Array so hot loops
 * never touch boxed numbers or generic arrays.
 */

/**
 * A sorted copy (the one sort each sample gets). LSD radix sort on the IEEE-754 bit patterns
 * (11-bit digits, passes whose digit is constant skipped): several times faster than
 * Float64Array#sort on 10^5–10^6 values, which is what keeps whole tests under scipy's time.
 * Values must not be NaN (missing values are removed before tests run).
 */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = Float64Array.from(values);
  if (n < 512) {
    out.sort();
    return out;
  }
  const words = new Uint32Array(out.buffer);
  // Order-preserving key: flip all bits of negatives, only the sign bit of positives.
  // All six digit histograms are counted in this same pass.
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const counts = new Uint32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1]!;
    let l = words[2 * i]!;
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
    counts[l & 0x7ff]!++;
    counts[2048 + ((l >>> 11) & 0x7ff)]!++;
    counts[4096 + (l >>> 22)]!++;
    counts[6144 + (h & 0x7ff)]!++;
    counts[8192 + ((h >>> 11) & 0x7ff)]!++;
    counts[10240 + (h >>> 22)]!++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const SHIFTS = [0, 11, 22, 0, 11, 22];
  for (let pass = 0; pass < 6; pass++) {
    const shift = SHIFTS[pass]!;
    const base = pass * 2048;
    const useHi = pass >= 3;
    const key = useHi ? hi : lo;
    if (counts[base + ((key[0]! >>> shift) & 0x7ff)] === n) continue; // every value shares this digit
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const pos = counts[base + ((key[i]! >>> shift) & 0x7ff)]!++;
      lo2[pos] = lo[i]!;
      hi2[pos] = hi[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = lo[i]!;
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~lo[i]! >>> 0;
    }
  }
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
