/**
 * Anderson–Darling k-sample test (k = 2) as scipy.stats.anderson_ksamp(variant="midrank"):
 * Scholz & Stephens' A²akN with mid-ranks for ties, standardised, and the p-value interpolated
 * from the published critical values by a quadratic fit of log(significance) — and, as in scipy,
 * capped to [0.001, 0.25] outside the table. The p-value is therefore approximate by construction
 * (scipy's own), but ours reproduces scipy's number.
 */
import { sum } from "./numeric.ts";

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/** Least-squares quadratic through (x, y) via Householder QR (np.polyfit(x, y, 2)). */
function polyfit2(x: number[], y: number[]): [number, number, number] {
  const m = x.length;
  // Columns scaled like polyfit does (by column norm) for conditioning.
  const A: number[][] = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((c) => Math.sqrt(A.reduce((s, r) => s + r[c]! ** 2, 0)));
  for (const r of A) for (let c = 0; c < 3; c++) r[c] = r[c]! / scale[c]!;
  const bvec = y.slice();
  for (let c = 0; c < 3; c++) {
    let norm = 0;
    for (let r = c; r < m; r++) norm += A[r]![c]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[c]![c]! > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let r = c; r < m; r++) v[r] = A[r]![c]!;
    v[c] = v[c]! - alpha;
    let vv = 0;
    for (let r = c; r < m; r++) vv += v[r]! ** 2;
    if (vv === 0) continue;
    for (let cc = c; cc < 3; cc++) {
      let d = 0;
      for (let r = c; r < m; r++) d += v[r]! * A[r]![cc]!;
      for (let r = c; r < m; r++) A[r]![cc] = A[r]![cc]! - (2 * d * v[r]!) / vv;
    }
    let d = 0;
    for (let r = c; r < m; r++) d += v[r]! * bvec[r]!;
    for (let r = c; r < m; r++) bvec[r] = bvec[r]! - (2 * d * v[r]!) / vv;
  }
  const coef = [0, 0, 0];
  for (let c = 2; c >= 0; c--) {
    let s = bvec[c]!;
    for (let cc = c + 1; cc < 3; cc++) s -= A[c]![cc]! * coef[cc]!;
    coef[c] = s / A[c]![c]!;
  }
  return [coef[0]! / scale[0]!, coef[1]! / scale[1]!, coef[2]! / scale[2]!];
}

export interface AndersonResult {
  statistic: number;
  pValue: number;
}

export function andersonKSampleSorted(x: Float64Array, y: Float64Array): AndersonResult {
  const k = 2;
  const n = [x.length, y.length];
  const N = n[0]! + n[1]!;
  // Distinct pooled values with their multiplicities, and per-sample counts (merged walk).
  const zstar: number[] = [];
  const lj: number[] = [];
  const below: number[] = []; // pooled count strictly below zstar
  const fij: number[][] = [[], []];
  const mBelow: number[][] = [[], []];
  let i = 0;
  let j = 0;
  while (i < n[0]! || j < n[1]!) {
    const v = j >= n[1]! || (i < n[0]! && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    const i0 = i;
    const j0 = j;
    while (i < n[0]! && x[i] === v) i++;
    while (j < n[1]! && y[j] === v) j++;
    zstar.push(v);
    below.push(i0 + j0);
    lj.push(i - i0 + (j - j0));
    fij[0]!.push(i - i0);
    fij[1]!.push(j - j0);
    mBelow[0]!.push(i);
    mBelow[1]!.push(j);
  }
  if (zstar.length < 2) throw new RangeError("anderson: needs more than one distinct observation");
  const L = zstar.length;
  let A2akN = 0;
  const inner = new Float64Array(L);
  for (let s = 0; s < k; s++) {
    for (let q = 0; q < L; q++) {
      const l = lj[q]!;
      const Bj = below[q]! + l / 2;
      const Mij = mBelow[s]![q]! - fij[s]![q]! / 2;
      inner[q] = ((l / N) * (N * Mij - Bj * n[s]!) ** 2) / (Bj * (N - Bj) - (N * l) / 4);
    }
    A2akN += sum(inner) / n[s]!;
  }
  A2akN *= (N - 1) / N;
  const H = 1 / n[0]! + 1 / n[1]!;
  // hs_cs = cumsum(1/[N-1, N-2, ..., 2]); h = hs_cs[-1] + 1; g = Σ hs_cs[i] / (i+2)... as scipy.
  let hsum = 0;
  let g = 0;
  let idx = 2;
  for (let d = N - 1; d > 1; d--) {
    hsum += 1 / d;
    g += hsum / idx;
    idx++;
  }
  const h = hsum + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const A2 = (A2akN - m) / Math.sqrt(sigmasq);
  const critical = B0.map((b0, q) => b0 + B1[q]! / Math.sqrt(m) + B2[q]! / m);
  let p: number;
  if (A2 < Math.min(...critical)) p = 0.25;
  else if (A2 > Math.max(...critical)) p = 0.001;
  else {
    const [c2, c1, c0] = polyfit2(critical, SIG.map(Math.log));
    p = Math.exp((c2 * A2 + c1) * A2 + c0);
  }
  return { statistic: A2, pValue: p };
}
