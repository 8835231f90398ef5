/**
 * Embedding drift (pure). The verdict is a multivariate two-sample test on the vectors themselves:
 * MMD with an RBF kernel on Euclidean distance (median-heuristic bandwidth) and a seeded
 * permutation p-value, on at most `maxSamples` vectors per window (a seeded subsample past that;
 * the test is quadratic). A per-component test cannot see a change in how components move
 * together (a rotated cluster keeps every marginal), MMD can.
 *
 * Also reported, as information: Evidently's "ratio" method (every component tested with the
 * drift engine, Wasserstein normed by the reference std, threshold 0.1; the share of drifted
 * components against `shareThreshold`) and the distance between the two mean embeddings (cosine
 * and Euclidean) — for roughly zero-mean embeddings the direction of the mean is noise.
 */

import { mmdTestVectors, prepareColumn, testColumn } from "../stats/index.ts";
import type { EmbeddingResult } from "./model.ts";

export const DEFAULT_EMBEDDING_SHARE = 0.2;
export const COMPONENT_THRESHOLD = 0.1;
/**
 * p-value below which the MMD test says drifted. Lower than the drift engine's 0.1 for 1-D MMD: a
 * scheduled monitor tests every run, and 0.1 would open an incident on one clean run in ten.
 */
export const DEFAULT_EMBEDDING_P_VALUE = 0.05;
/** Vectors per window the MMD test compares (a seeded subsample past it). */
export const EMBEDDING_MMD_MAX_SAMPLES = 500;
export const EMBEDDING_MMD_PERMUTATIONS = 100;

export interface EmbeddingOptions {
  /** p-value threshold of the MMD verdict (default 0.05). */
  pValueThreshold?: number;
  /** Share of drifted components of the (informative) ratio method (default 0.2). */
  shareThreshold?: number;
  seed?: number;
  maxSamples?: number;
  permutations?: number;
}

const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");

/** Evidently's ratio method: how many components drifted on their own, and the two means. */
function componentRatio(name: string, ref: number[][], cur: number[][], dim: number) {
  const meanR = new Float64Array(dim);
  const meanC = new Float64Array(dim);
  let drifted = 0;
  const colR = new Float64Array(ref.length);
  const colC = new Float64Array(cur.length);
  for (let d = 0; d < dim; d++) {
    for (let i = 0; i < ref.length; i++) colR[i] = ref[i]![d]!;
    for (let i = 0; i < cur.length; i++) colC[i] = cur[i]![d]!;
    let sr = 0;
    let sc = 0;
    for (const x of colR) sr += x;
    for (const x of colC) sc += x;
    meanR[d] = sr / ref.length;
    meanC[d] = sc / cur.length;
    const col = prepareColumn(`${name}[${d}]`, colR, colC, "numerical");
    try {
      const r = testColumn(col, {
        columns: { [col.name]: { test: "wasserstein", threshold: COMPONENT_THRESHOLD } },
      });
      if (r.drifted) drifted++;
    } catch {
      // A constant component (zero std) cannot be normed: it counts as not drifted unless it moved.
      if (meanR[d] !== meanC[d]) drifted++;
    }
  }
  return { drifted, meanR, meanC };
}

export function embeddingDrift(
  name: string,
  reference: readonly unknown[],
  current: readonly unknown[],
  options: EmbeddingOptions = {},
): EmbeddingResult | { name: string; error: { code: string; message: string } } {
  const ref = reference.filter(isVector);
  const cur = current.filter(isVector);
  const dim = ref[0]?.length ?? 0;
  if (ref.length < 2 || cur.length < 2) {
    return { name, error: { code: "too_few_values", message: "Need at least two vectors in each window" } };
  }
  if (dim === 0 || ref.some((v) => v.length !== dim) || cur.some((v) => v.length !== dim)) {
    return {
      name,
      error: { code: "dimension_mismatch", message: `Vectors of "${name}" differ in dimension` },
    };
  }
  const pThreshold = options.pValueThreshold ?? DEFAULT_EMBEDDING_P_VALUE;
  const shareThreshold = options.shareThreshold ?? DEFAULT_EMBEDDING_SHARE;
  const mmd = mmdTestVectors(ref, cur, {
    seed: options.seed ?? 0,
    maxSamples: options.maxSamples ?? EMBEDDING_MMD_MAX_SAMPLES,
    permutations: options.permutations ?? EMBEDDING_MMD_PERMUTATIONS,
  });
  const { drifted, meanR, meanC } = componentRatio(name, ref, cur, dim);
  let dot = 0;
  let nr = 0;
  let nc = 0;
  let sq = 0;
  for (let d = 0; d < dim; d++) {
    dot += meanR[d]! * meanC[d]!;
    nr += meanR[d]! ** 2;
    nc += meanC[d]! ** 2;
    sq += (meanR[d]! - meanC[d]!) ** 2;
  }
  const share = drifted / dim;
  return {
    name,
    dimension: dim,
    method: "mmd",
    statistic: mmd.statistic,
    pValue: mmd.pValue,
    threshold: pThreshold,
    drifted: mmd.pValue < pThreshold,
    mmd: {
      kernel: "rbf",
      bandwidth: mmd.bandwidth,
      permutations: mmd.permutations,
      referenceSize: mmd.referenceSize,
      currentSize: mmd.currentSize,
      sampled: mmd.sampled,
    },
    componentRatio: {
      driftedComponents: drifted,
      share,
      threshold: shareThreshold,
      drifted: share >= shareThreshold,
    },
    cosineDistance: nr === 0 || nc === 0 ? null : 1 - dot / Math.sqrt(nr * nc),
    euclideanDistance: Math.sqrt(sq),
    referenceSize: ref.length,
    currentSize: cur.length,
  };
}
