/**
 * Model performance from (output, label) pairs (pure).
 * - classification: accuracy, macro precision/recall/F1; ROC AUC when outputs are scores in [0,1]
 *   and labels binary (score ≥ 0.5 is the positive class);
 * - regression: MAE, RMSE, MAPE (MAPE over non-zero labels).
 * The task is inferred when not given: labels that are booleans, strings or only 0/1 → classification.
 */

export type Task = "classification" | "regression";

export interface Performance {
  task: Task;
  rows: number;
  metrics: Record<string, number | null>;
}

const isBinaryLabel = (v: unknown) => v === 0 || v === 1 || typeof v === "boolean";

export function inferTask(labels: readonly unknown[]): Task {
  if (labels.every((l) => typeof l === "number") && !labels.every(isBinaryLabel)) return "regression";
  return "classification";
}

/** Positive-class probability when the output is a score; undefined for class outputs. */
function score(output: unknown): number | undefined {
  if (typeof output === "number" && output >= 0 && output <= 1) return output;
  if (output && typeof output === "object" && !Array.isArray(output)) {
    const o = output as Record<string, unknown>;
    for (const k of ["score", "probability", "proba"]) if (typeof o[k] === "number") return o[k] as number;
  }
  return undefined;
}

function predictedClass(output: unknown, binary: boolean): string | undefined {
  const s = score(output);
  if (binary && s !== undefined) return s >= 0.5 ? "1" : "0";
  if (typeof output === "boolean") return output ? "1" : "0";
  if (typeof output === "string" || typeof output === "number") return String(output);
  if (output && typeof output === "object" && !Array.isArray(output)) {
    const o = output as Record<string, unknown>;
    for (const k of ["label", "class", "prediction"])
      if (o[k] !== undefined) return predictedClass(o[k], binary);
  }
  return undefined;
}
const labelClass = (l: unknown) => (typeof l === "boolean" ? (l ? "1" : "0") : String(l));

/** ROC AUC by the rank-sum (Mann–Whitney) identity, with midranks for ties. */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number | null {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  for (const p of positives) if (p) nPos++;
  const nNeg = positives.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positives[idx[k]!]) rankSum += mid;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function computePerformance(
  pairs: readonly { output: unknown; label: unknown }[],
  task: Task = inferTask(pairs.map((p) => p.label)),
): Performance {
  if (task === "regression") {
    let abs = 0;
    let sq = 0;
    let pct = 0;
    let n = 0;
    let nPct = 0;
    for (const { output, label } of pairs) {
      const y = Number(label);
      const o =
        output && typeof output === "object" && !Array.isArray(output)
          ? (output as Record<string, unknown>).value
          : output;
      const yhat = Number(o);
      if (!Number.isFinite(y) || !Number.isFinite(yhat)) continue;
      n++;
      abs += Math.abs(yhat - y);
      sq += (yhat - y) ** 2;
      if (y !== 0) {
        pct += Math.abs((yhat - y) / y);
        nPct++;
      }
    }
    return {
      task,
      rows: n,
      metrics: {
        mae: n ? abs / n : null,
        rmse: n ? Math.sqrt(sq / n) : null,
        mape: nPct ? pct / nPct : null,
      },
    };
  }
  const binary = pairs.every((p) => isBinaryLabel(p.label));
  const truth: string[] = [];
  const pred: string[] = [];
  const scores: number[] = [];
  const pos: boolean[] = [];
  for (const { output, label } of pairs) {
    const p = predictedClass(output, binary);
    if (p === undefined || label === null || label === undefined) continue;
    truth.push(labelClass(label));
    pred.push(p);
    const s = score(output);
    if (binary && s !== undefined) {
      scores.push(s);
      pos.push(labelClass(label) === "1");
    }
  }
  const n = truth.length;
  const classes = binary ? ["1"] : [...new Set([...truth, ...pred])].sort();
  let correct = 0;
  for (let i = 0; i < n; i++) if (truth[i] === pred[i]) correct++;
  let P = 0;
  let R = 0;
  let F = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      if (pred[i] === c && truth[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    P += precision;
    R += recall;
    F += precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const k = classes.length || 1;
  return {
    task,
    rows: n,
    metrics: {
      accuracy: n ? correct / n : null,
      precision: n ? P / k : null,
      recall: n ? R / k : null,
      f1: n ? F / k : null,
      rocAuc: scores.length === n && n > 0 ? rocAuc(scores, pos) : null,
    },
  };
}

/** The metric that decides "degraded" and whether higher is better. */
export function primaryMetric(task: Task): { name: string; higherIsBetter: boolean } {
  return task === "regression"
    ? { name: "rmse", higherIsBetter: false }
    : { name: "f1", higherIsBetter: true };
}
