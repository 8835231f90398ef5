/**
 * Distances between the empirical CDFs of two sorted samples, as scipy's _cdf_distance:
 * Wasserstein-1 = ∫|F−G|, energy distance = √2·√(∫(F−G)²). One merged pass, no searchsorted.
 */
import { variance } from "./numeric.ts";

function cdfDistance(a: Float64Array, b: Float64Array, power: 1 | 2): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let acc = 0;
  let prev = Number.NaN;
  let fa = 0;
  let fb = 0;
  while (i < n1 || j < n2) {
    // A value of one sample below the other's next and tied with no other: one step, same sums.
    if (i < n1 && (j >= n2 || a[i]! < b[j]!) && (i + 1 === n1 || a[i + 1] !== a[i])) {
      const v = a[i]!;
      if (i + j > 0) {
        const d = Math.abs(fa - fb);
        acc += (power === 1 ? d : d * d) * (v - prev);
      }
      i++;
      fa = i / n1;
      prev = v;
      continue;
    }
    if (j < n2 && (i >= n1 || b[j]! < a[i]!) && (j + 1 === n2 || b[j + 1] !== b[j])) {
      const v = b[j]!;
      if (i + j > 0) {
        const d = Math.abs(fa - fb);
        acc += (power === 1 ? d : d * d) * (v - prev);
      }
      j++;
      fb = j / n2;
      prev = v;
      continue;
    }
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    // Integrate the step between the previous distinct value and this one.
    if (i + j > 0) {
      const d = Math.abs(fa - fb);
      acc += (power === 1 ? d : d * d) * (v - prev);
    }
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    fa = i / n1;
    fb = j / n2;
    prev = v;
  }
  return acc;
}

export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  return cdfDistance(a, b, 1);
}

/**
 * Evidently's normed Wasserstein: W1 / std(reference) (population std), the std floored at 0.001
 * so a constant reference does not divide by zero.
 */
export function wassersteinNormedSorted(reference: Float64Array, current: Float64Array): number {
  return wassersteinSorted(reference, current) / Math.max(Math.sqrt(variance(reference, 0)), 0.001);
}

export function energyDistanceSorted(a: Float64Array, b: Float64Array): number {
  return Math.SQRT2 * Math.sqrt(cdfDistance(a, b, 2));
}
