/**
 * Small numeric helpers shared by the tests. Everything works on Float64Array so hot loops
 * never touch boxed numbers or generic arrays.
 */

/** Where each of the six 11-bit digits of a 64-bit pattern (low word first) sits. */
const DIGIT_WORD = [0, 0, 0, 1, 1, 1];
const DIGIT_SHIFT = [0, 11, 22, 0, 11, 22];

/**
 * A sorted copy (the one sort each sample gets), in Float64Array#sort's order. LSD radix sort
 * (11-bit digits, all six histograms counted in one pass, passes whose digit every value shares
 * skipped) that moves the float values themselves and reads each digit from their raw IEEE-754
 * bits: several times faster than Float64Array#sort on 10^5–10^6 values, which is what keeps
 * whole tests under scipy's time. Values must not be NaN (missing values are removed before tests
 * run).
 *
 * Unsigned bit order is value order for positives and reversed for negatives (which sort after
 * them), so the last pass places negative digits backwards from the front, positives after them:
 * no key transform in or out, no second array of keys to move.
 */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  if (n < 512) {
    const out = Float64Array.from(values);
    out.sort();
    return out;
  }
  const src = values instanceof Float64Array ? values : Float64Array.from(values);
  const srcWords = new Uint32Array(src.buffer, src.byteOffset, 2 * n);
  const counts = new Int32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    const l = srcWords[2 * i]!;
    const h = srcWords[2 * i + 1]!;
    counts[l & 0x7ff]!++;
    counts[2048 + ((l >>> 11) & 0x7ff)]!++;
    counts[4096 + (l >>> 22)]!++;
    counts[6144 + (h & 0x7ff)]!++;
    counts[8192 + ((h >>> 11) & 0x7ff)]!++;
    counts[10240 + (h >>> 22)]!++;
  }
  // The top digit is the sign bit and 9 exponent bits: digits ≥ 512 are the negatives.
  let negatives = 0;
  for (let d = 512; d < 1024; d++) negatives += counts[10240 + d]!;
  const passes: number[] = [];
  for (let p = 0; p < 6; p++) {
    const digit = (srcWords[DIGIT_WORD[p]!]! >>> DIGIT_SHIFT[p]!) & 0x7ff;
    if (counts[p * 2048 + digit] !== n) passes.push(p);
  }
  const out = new Float64Array(n);
  if (passes.length === 0) {
    out.set(src); // every value has the same bits
    return out;
  }
  // Ping-pong between out and tmp, starting so that the last pass writes into out.
  let to: Float64Array = passes.length % 2 === 1 ? out : new Float64Array(n);
  let spare: Float64Array = to === out ? new Float64Array(n) : out;
  let from: Float64Array = src;
  for (let k = 0; k < passes.length; k++) {
    const p = passes[k]!;
    const word = DIGIT_WORD[p]!;
    const shift = DIGIT_SHIFT[p]!;
    const base = p * 2048;
    const fromWords = new Uint32Array(from.buffer, from.byteOffset, 2 * n);
    if (k === passes.length - 1 && negatives > 0) {
      // Negative digits count down from the end of [0, negatives); positive ones up from there.
      // When the top pass was skipped, every value has the same sign.
      const step = new Int32Array(2048);
      let up = negatives;
      let down = negatives - 1;
      for (let d = 0; d < 2048; d++) {
        const c = counts[base + d]!;
        if (p === 5 ? d >= 512 : negatives === n) {
          counts[base + d] = down;
          step[d] = -1;
          down -= c;
        } else {
          counts[base + d] = up;
          step[d] = 1;
          up += c;
        }
      }
      for (let i = 0; i < n; i++) {
        const d = (fromWords[2 * i + word]! >>> shift) & 0x7ff;
        const pos = counts[base + d]!;
        counts[base + d] = pos + step[d]!;
        to[pos] = from[i]!;
      }
    } else {
      let sum = 0;
      for (let d = 0; d < 2048; d++) {
        const c = counts[base + d]!;
        counts[base + d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++)
        to[counts[base + ((fromWords[2 * i + word]! >>> shift) & 0x7ff)]!++] = from[i]!;
    }
    from = to;
    to = spare;
    spare = from;
  }
  return from;
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
