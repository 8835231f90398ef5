/**
 * The second step of a run, pure: every feature's drift test (numerical on the sample, categorical
 * on the counts, vectors by MMD and component ratio), prediction drift, performance when both
 * windows have labels, and the dataset verdict.
 */
import { type CompareOptions, DEFAULT_DATASET_DRIFT_SHARE } from "../stats/index.ts";
import { DEFAULT_EMBEDDING_P_VALUE, DEFAULT_EMBEDDING_SHARE, embeddingDrift } from "./embedding.ts";
import { type FeatureKind, testCategorical, testNumerical } from "./feature-drift.ts";
import { featureValues, type Gathered, PREDICTION } from "./gather.ts";
import type { EmbeddingResult, FeatureResult, Monitor } from "./model.ts";
import { computePerformance, inferTask, type Performance, primaryMetric } from "./performance.ts";
import type { SampledRow } from "./store.ts";

export const DEFAULT_PERFORMANCE_DROP = 0.1;

export interface Judgement {
  features: FeatureResult[];
  embeddings: EmbeddingResult[];
  prediction: FeatureResult | null;
  /** Share of the judged features (and embeddings) that drifted. */
  share: number;
  drifted: boolean;
  performance: Record<string, unknown> | null;
}

export function judge(m: Monitor, g: Extract<Gathered, { enough: true }>): Judgement {
  const o = m.options ?? {};
  const options: CompareOptions = { columns: {}, bins: o.bins, seed: g.seed };
  for (const [name, opts] of Object.entries(m.tests)) options.columns![name] = opts;
  const { reference: refSample, current: curSample } = g.samples;

  const test = (
    name: string,
    kind: FeatureKind | undefined,
    pick: (r: SampledRow) => unknown,
  ): FeatureResult | undefined => {
    if (kind === "categorical")
      return testCategorical(name, g.counts.reference.get(name)!, g.counts.current.get(name)!, options);
    if (kind === "numerical")
      return testNumerical(name, refSample.map(pick), curSample.map(pick), options, g.sampled);
    return undefined;
  };
  const features: FeatureResult[] = [];
  const embeddings: EmbeddingResult[] = [];
  for (const name of g.names) {
    const kind = g.kinds.get(name);
    if (kind === "vector") {
      const r = embeddingDrift(name, featureValues(refSample, name), featureValues(curSample, name), {
        shareThreshold: o.embeddingThreshold ?? DEFAULT_EMBEDDING_SHARE,
        pValueThreshold: o.embeddingPValue ?? DEFAULT_EMBEDDING_P_VALUE,
        seed: g.seed,
      });
      if ("error" in r) features.push({ name, drifted: false, error: r.error });
      else embeddings.push(r);
      continue;
    }
    features.push(test(name, kind, (r) => r.features?.[name] ?? null)!);
  }
  const prediction = test(PREDICTION, g.outputKind, (r) => r.output) ?? null;

  // Dataset verdict over the features that could be tested (and the embeddings), like Evidently's share.
  const judged = [...features.filter((f) => !f.error || f.drifted), ...embeddings];
  const share = judged.length ? judged.filter((f) => f.drifted).length / judged.length : 0;
  const drifted = judged.length > 0 && share >= (o.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE);

  let performance: Record<string, unknown> | null = null;
  if (g.labeled) {
    const { reference: refPairs, current: curPairs } = g.labeled;
    const task = o.task ?? inferTask([...refPairs, ...curPairs].map((p) => p.label));
    performance = comparePerformance(
      computePerformance(refPairs, task),
      computePerformance(curPairs, task),
      o.performanceDrop ?? DEFAULT_PERFORMANCE_DROP,
    );
  }
  return { features, embeddings, prediction, share, drifted, performance };
}

function comparePerformance(reference: Performance, current: Performance, drop: number) {
  const { name, higherIsBetter } = primaryMetric(current.task);
  const r = reference.metrics[name];
  const c = current.metrics[name];
  let degraded = false;
  let change: number | null = null;
  if (typeof r === "number" && typeof c === "number" && r !== 0) {
    change = (c - r) / Math.abs(r);
    degraded = higherIsBetter ? change < -drop : change > drop;
  }
  return { task: current.task, metric: name, reference, current, change, threshold: drop, degraded };
}
