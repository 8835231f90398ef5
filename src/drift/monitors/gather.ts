/**
 * The first step of a run: what the two windows hold. A small probe of each window names the
 * features and tells which look categorical: those are counted in SQL over every row (one scan per
 * window, which also gives the row counts); the others are read as a seeded sample past sampleCap.
 */
import type { Db } from "../../db/client.ts";
import { type FeatureKind, featureKind, MAX_INTEGER_CATEGORIES } from "./feature-drift.ts";
import type { Monitor } from "./model.ts";
import { referenceData } from "./reference-cache.ts";
import { probeWindow, type SampledRow, sampleWindow, windowAggregates } from "./store.ts";
import { type ResolvedWindows, resolveWindows } from "./windows.ts";

export const DEFAULT_SAMPLE_CAP = 20_000;
export const DEFAULT_SEED = 42;
export const DEFAULT_MIN_ROWS = 30;
/** The name the model's output goes by among the features. */
export const PREDICTION = "prediction";
/** Rows read from each window to name and type the features before the real scans. */
export const PROBE_ROWS = 1000;

type Counts = Map<string | null, number>;

/** What the windows hold: enough to judge drift, or too little. */
export type Gathered = {
  windows: ResolvedWindows;
  cap: number;
  seed: number;
  reference: { rows: number; cachedAt: string | null };
  current: { rows: number };
} & (
  | { enough: false; minRows: number }
  | {
      enough: true;
      names: string[];
      /** Each feature's kind, after the full counts and the sample. */
      kinds: Map<string, FeatureKind>;
      /** The output's kind, when it is a scalar the tests can take. */
      outputKind: FeatureKind | undefined;
      /** Value counts of the categorical columns, over every row (or the sample, where the probe missed them). */
      counts: { reference: Map<string, Counts>; current: Map<string, Counts> };
      samples: { reference: SampledRow[]; current: SampledRow[] };
      /** Whether either window was larger than the cap. */
      sampled: boolean;
      /** Labeled rows of both windows, when both have some: performance is judged on them. */
      labeled: { reference: SampledRow[]; current: SampledRow[] } | null;
    }
);

export const featureValues = (rows: SampledRow[], name: string) =>
  rows.map((r) => r.features?.[name] ?? null);

function countValues(values: readonly unknown[]): Counts {
  const m = new Map<string | null, number>();
  for (const v of values) {
    const k = v === null || v === undefined ? null : String(v);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Integer codes with more than 10 distinct values are numerical (Evidently's rule), else categorical. */
function countedKind(ref: Counts, cur: Counts): FeatureKind {
  const labels = new Set([...ref.keys(), ...cur.keys()].filter((k): k is string => k !== null && k !== ""));
  const integers = [...labels].every((l) => /^-?\d+$/.test(l));
  return integers && labels.size > MAX_INTEGER_CATEGORIES ? "numerical" : "categorical";
}

const isScalar = (v: unknown) => v === null || ["number", "string", "boolean"].includes(typeof v);

export async function gather(db: Db, projectId: string, m: Monitor, now: Date): Promise<Gathered> {
  const o = m.options ?? {};
  const cap = o.sampleCap ?? DEFAULT_SAMPLE_CAP;
  const seed = o.seed ?? DEFAULT_SEED;
  const minRows = o.minRows ?? DEFAULT_MIN_ROWS;
  const w = resolveWindows(projectId, m, now);

  // The two windows are independent: on a server their queries overlap (PGlite serialises them).
  const [refProbe, curProbe] = await Promise.all([
    probeWindow(db, w.reference, PROBE_ROWS),
    probeWindow(db, w.current, PROBE_ROWS),
  ]);
  const names = m.features ?? [...new Set(refProbe.flatMap((r) => Object.keys(r.features ?? {})))].sort();
  const probeOutputs = [...refProbe, ...curProbe].map((r) => r.output);
  const outputKind: FeatureKind | undefined =
    probeOutputs.every(isScalar) && probeOutputs.some((x) => x !== null)
      ? featureKind(probeOutputs, m.tests[PREDICTION]?.type)
      : undefined;
  const candidates = names
    .filter(
      (n) =>
        featureKind([...featureValues(refProbe, n), ...featureValues(curProbe, n)], m.tests[n]?.type) ===
        "categorical",
    )
    .map((name) => ({ name, output: false }));
  if (outputKind === "categorical") candidates.push({ name: PREDICTION, output: true });
  const [ref, curAgg] = await Promise.all([
    referenceData(db, m, w.reference, candidates, cap, seed, now),
    windowAggregates(db, w.current, candidates),
  ]);
  const common = {
    windows: w,
    cap,
    seed,
    reference: { rows: ref.agg.rows, cachedAt: ref.cachedAt },
    current: { rows: curAgg.rows },
  };
  if (ref.agg.rows < minRows || curAgg.rows < minRows) return { ...common, enough: false, minRows };

  const refSample = ref.sample;
  const curSample = await sampleWindow(db, w.current, curAgg.rows, cap, seed);

  // Final kinds: counted columns stay categorical unless the full counts show an integer column
  // with more than 10 values; the others are typed from the sample.
  const refCounts = ref.agg.counts;
  const curCounts = curAgg.counts;
  const kinds = new Map<string, FeatureKind>();
  for (const name of names) {
    const counted = refCounts.get(name);
    if (counted) {
      kinds.set(name, m.tests[name]?.type ? "categorical" : countedKind(counted, curCounts.get(name)!));
      continue;
    }
    const kind = featureKind(
      [...featureValues(refSample, name), ...featureValues(curSample, name)],
      m.tests[name]?.type,
    );
    if (kind === "categorical") {
      // Categorical after all (e.g. strings the probe did not see): count the sample.
      refCounts.set(name, countValues(featureValues(refSample, name)));
      curCounts.set(name, countValues(featureValues(curSample, name)));
    }
    kinds.set(name, kind);
  }

  const labeled =
    ref.labeled && curAgg.labeled > 0
      ? {
          reference: ref.labeled,
          current: await sampleWindow(db, w.current, curAgg.labeled, cap, seed, true),
        }
      : null;
  return {
    ...common,
    enough: true,
    names,
    kinds,
    outputKind,
    counts: { reference: refCounts, current: curCounts },
    samples: { reference: refSample, current: curSample },
    sampled: ref.agg.rows > cap || curAgg.rows > cap,
    labeled,
  };
}
