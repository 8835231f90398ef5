/**
 * Embedding drift (pure), after Evidently's "ratio" method: every component of the vectors is a
 * numerical column tested with the drift engine (Wasserstein normed by the reference std,
 * threshold 0.1), and the feature drifted when the share of drifted components reaches the
 * threshold (default 0.2). The distance between the two mean embeddings (cosine and Euclidean) is
 * reported too, but it is not the verdict: for roughly zero-mean embeddings the direction of the
 * mean is noise.
 */
import type { EmbeddingResult } from "./monitor-model.ts";
import { prepareColumn, testColumn } from "./stats-adapter.ts";

export const DEFAULT_EMBEDDING_SHARE = 0.2;
export const COMPONENT_THRESHOLD = 0.1;

const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");

export function embeddingDrift(
  name: string,
  reference: readonly unknown[],
  current: readonly unknown[],
  threshold = DEFAULT_EMBEDDING_SHARE,
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
    method: "component_ratio",
    driftedComponents: drifted,
    share,
    threshold,
    drifted: share >= threshold,
    cosineDistance: nr === 0 || nc === 0 ? null : 1 - dot / Math.sqrt(nr * nc),
    euclideanDistance: Math.sqrt(sq),
    referenceSize: ref.length,
    currentSize: cur.length,
  };
}
