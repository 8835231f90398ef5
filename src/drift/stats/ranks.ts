/**
 * Mid-ranks of the pooled sample (scipy.stats.rankdata(method="average")) for two sorted samples,
 * computed in one merged pass.
 */
export interface PooledRanks {
  /** Rank of each value of `a` (a sorted), in order. */
  ranksA: Float64Array;
  ranksB: Float64Array;
  /** Σ (t³ − t) over tie groups. */
  tieTerm: number;
  hasTies: boolean;
}

export function pooledRanks(a: Float64Array, b: Float64Array): PooledRanks {
  const n1 = a.length;
  const n2 = b.length;
  const ranksA = new Float64Array(n1);
  const ranksB = new Float64Array(n2);
  let i = 0;
  let j = 0;
  let tieTerm = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const i0 = i;
    const j0 = j;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const t = i - i0 + (j - j0);
    const rank = i0 + j0 + (t + 1) / 2;
    for (let k = i0; k < i; k++) ranksA[k] = rank;
    for (let k = j0; k < j; k++) ranksB[k] = rank;
    if (t > 1) tieTerm += t * t * t - t;
  }
  return { ranksA, ranksB, tieTerm, hasTies: tieTerm > 0 };
}
