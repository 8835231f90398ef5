/**
 * Decimal → double without a string, exactly as Number() would round it (to nearest, ties to
 * even). The CSV reader scans digits from bytes; making a string per cell and calling Number()
 * on it is most of the cost of reading a numeric CSV.
 *
 * Significands below 2^53 are exact doubles, and so are 10^k for k ≤ 22: one multiplication or
 * division rounds once, hence correctly (Clinger's fast path). Larger significands (16 to 18
 * digits, as in shortest round-trip output) are held exactly as a pair of doubles, divided
 * approximately, and the quotient is checked and corrected against the exact remainder. Anything
 * else, and a quotient too close to a tie to call, is left to Number().
 */

/** 10^k, exact for k ≤ 22. */
export const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

const TWO53 = 2 ** 53;
const SPLITTER = 134217729; // 2^27 + 1, Dekker's split
const POW10_HI = POW10.map((d) => SPLITTER * d - (SPLITTER * d - d));
const POW10_LO = POW10.map((d, k) => d - POW10_HI[k]!);

// The bits of a double, for its exponent (the spacing of doubles around it).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
F64[0] = 1;
const LITTLE_ENDIAN = U32[1] === 0x3ff00000;

/**
 * Number() of the decimal `a·10^nlo + lo` × 10^q, for integers `lo < 10^nlo` and `a` with
 * `a·5^nlo < 2^53` (at most 18 significant digits split 8 + 10 or 9 + 9), and a positive value;
 * NaN when this cannot decide (then call Number() on the text).
 */
export function decimalToDouble(a: number, lo: number, nlo: number, q: number): number {
  // a·10^nlo = (a·5^nlo)·2^nlo: exact. The sum rounds once (IEEE).
  const p = a * POW10[nlo]!;
  const h = p + lo;
  if (h < TWO53) {
    // h is the significand itself, exact.
    if (q === 0) return h;
    if (q < 0 && q >= -22) return h / POW10[-q]!;
    if (q > 0 && q <= 22) return h * POW10[q]!;
    return Number.NaN;
  }
  if (q === 0) return h;
  if (q > 0 || q < -22) return Number.NaN;
  // The significand is h + l exactly (Fast2Sum: |p| ≥ lo); both are integers.
  return correctedQuotient(h, lo - (h - p), -q);
}

/** The double nearest to (h + l) / 10^k, for h ≥ 2^53 and k ≤ 22; NaN if too close to call. */
function correctedQuotient(h: number, l: number, k: number): number {
  if (!LITTLE_ENDIAN) return Number.NaN;
  const d = POW10[k]!;
  const dh = POW10_HI[k]!;
  const dl = POW10_LO[k]!;
  // h/d is within 2 ulps of the answer (h is within half an ulp of h + l, one more rounding).
  let y = h / d;
  for (let step = 0; step < 3; step++) {
    F64[0] = y;
    const hi = U32[1]!;
    const exponent = hi >>> 20;
    // A power of two has a narrower gap below it: rare enough to leave to Number().
    if ((hi & 0xfffff) === 0 && U32[0] === 0) return Number.NaN;
    U32[1] = (exponent - 52) << 20;
    U32[0] = 0;
    const ulp = F64[0]!;
    // y·d exactly, as pr + pe (Dekker's product: no fma in JS).
    const pr = y * d;
    const c = SPLITTER * y;
    const yh = c - (c - y);
    const yl = y - yh;
    const pe = yh * dh - pr + yh * dl + yl * dh + yl * dl;
    // (h + l) − y·d: h − pr is exact (Sterbenz: they are within a few ulps) and an integer, as is
    // l; their sum is a small integer, exact. Only the subtraction of pe rounds (half an ulp of it).
    const r = h - pr + l - pe;
    // y is right when the remainder is under half of d·ulp(y) (exact: d·2^j). The margin covers
    // the one rounding of r.
    const half = (d * ulp) / 2;
    const margin = half * 2 ** -40;
    if (r > -half + margin && r < half - margin) return y;
    if (r > half + margin) y += ulp;
    else if (r < -half - margin) y -= ulp;
    else return Number.NaN; // at or next to a tie
  }
  return Number.NaN;
}
