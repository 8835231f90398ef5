/**
 * The drift tests by name: what each measures, its default threshold (Evidently's), which column
 * types it accepts, and how the verdict is taken (p-value below threshold, or distance at/above).
 */
import { andersonKSampleSorted } from "./anderson.ts";
import { binNumericSorted, proportions } from "./binning.ts";
import { energyDistanceSorted, wassersteinNormedSorted } from "./cdf-distance.ts";
import { contingencyTest, fisherExact, zTest } from "./contingency.ts";
import { cramerVonMisesSorted } from "./cvm.ts";
import { hellinger, jensenShannonDistance, klDivergence, psi } from "./divergence.ts";
import { DriftInputError } from "./errors.ts";
import { ksTestSorted } from "./ks.ts";
import { mannWhitneySorted } from "./mannwhitney.ts";
import { mmdTest } from "./mmd.ts";
import type { PreparedColumn } from "./prepare.ts";
import type { ColumnType, CompareOptions, TestName } from "./schema.ts";
import { welchTTest } from "./ttest.ts";

export interface TestOutcome {
  statistic: number;
  pValue?: number;
}

export interface DriftTest {
  name: TestName;
  title: string;
  /** "p_value": drifted when p < threshold; "distance": drifted when statistic ≥ threshold. */
  verdict: "p_value" | "distance";
  defaultThreshold: number;
  types: readonly ColumnType[];
  /** Needs at most two categories (z-test, Fisher). */
  binary?: boolean;
  /** Minimum non-missing values per sample. */
  minSize: number;
  run(column: PreparedColumn, options: CompareOptions): TestOutcome;
}

const NUM = ["numerical"] as const;
const BOTH = ["numerical", "categorical"] as const;

function sortedPair(c: PreparedColumn): [Float64Array, Float64Array] {
  // Only reachable for numerical tests, which are only offered for numeric data.
  return [c.refSorted!, c.curSorted!];
}

/** Aligned proportions for the divergences: histogram for numerical, categories otherwise. */
function probabilities(c: PreparedColumn, options: CompareOptions): [Float64Array, Float64Array] {
  if (c.type === "numerical" && c.refSorted && c.curSorted) {
    const b = binNumericSorted(c.refSorted, c.curSorted, options.bins);
    return [b.reference, b.current];
  }
  const cats = c.categories();
  return [proportions(cats.ref, c.referenceSize), proportions(cats.cur, c.currentSize)];
}

function twoByTwo(c: PreparedColumn): [number, number, number, number] {
  const { ref, cur } = c.categories();
  return [ref[0] ?? 0, ref[1] ?? 0, cur[0] ?? 0, cur[1] ?? 0];
}

const tests: DriftTest[] = [
  {
    name: "ks",
    title: "Kolmogorov–Smirnov",
    verdict: "p_value",
    defaultThreshold: 0.05,
    types: NUM,
    minSize: 1,
    run: (c) => ksTestSorted(...sortedPair(c)),
  },
  {
    name: "wasserstein",
    title: "Wasserstein distance (normed by reference std)",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: NUM,
    minSize: 1,
    run: (c) => ({ statistic: wassersteinNormedSorted(...sortedPair(c)) }),
  },
  {
    name: "anderson",
    title: "Anderson–Darling k-sample",
    verdict: "p_value",
    defaultThreshold: 0.1,
    types: NUM,
    minSize: 1,
    run: (c) =>
      c.distinct < 2 ? { statistic: Number.NaN, pValue: 1 } : andersonKSampleSorted(...sortedPair(c)),
  },
  {
    name: "cramer_von_mises",
    title: "Cramér–von Mises",
    verdict: "p_value",
    defaultThreshold: 0.1,
    types: NUM,
    minSize: 2,
    run: (c) => cramerVonMisesSorted(...sortedPair(c)),
  },
  {
    name: "mannw",
    title: "Mann–Whitney U",
    verdict: "p_value",
    defaultThreshold: 0.05,
    types: NUM,
    minSize: 1,
    run: (c) => mannWhitneySorted(...sortedPair(c)),
  },
  {
    name: "t_test",
    title: "Welch t-test",
    verdict: "p_value",
    defaultThreshold: 0.05,
    types: NUM,
    minSize: 2,
    run: (c) => welchTTest(...sortedPair(c)),
  },
  {
    name: "ed",
    title: "Energy distance",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: NUM,
    minSize: 1,
    run: (c) => ({ statistic: energyDistanceSorted(...sortedPair(c)) }),
  },
  {
    name: "empirical_mmd",
    title: "Maximum mean discrepancy (RBF, permutation p)",
    verdict: "p_value",
    defaultThreshold: 0.1,
    types: NUM,
    minSize: 2,
    run: (c, o) =>
      mmdTest(c.refValues!, c.curValues!, {
        seed: o.seed,
        permutations: o.mmdPermutations,
        maxSamples: o.mmdMaxSamples,
      }),
  },
  {
    name: "psi",
    title: "Population Stability Index",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: BOTH,
    minSize: 1,
    run: (c, o) => ({ statistic: psi(...probabilities(c, o)) }),
  },
  {
    name: "kl_div",
    title: "Kullback–Leibler divergence",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: BOTH,
    minSize: 1,
    run: (c, o) => ({ statistic: klDivergence(...probabilities(c, o)) }),
  },
  {
    name: "jensenshannon",
    title: "Jensen–Shannon distance",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: BOTH,
    minSize: 1,
    run: (c, o) => ({ statistic: jensenShannonDistance(...probabilities(c, o)) }),
  },
  {
    name: "hellinger",
    title: "Hellinger distance",
    verdict: "distance",
    defaultThreshold: 0.1,
    types: BOTH,
    minSize: 1,
    run: (c, o) => ({ statistic: hellinger(...probabilities(c, o)) }),
  },
  {
    name: "chisquare",
    title: "Chi-square (contingency)",
    verdict: "p_value",
    defaultThreshold: 0.05,
    types: BOTH,
    minSize: 1,
    run: (c) => {
      const { ref, cur } = c.categories();
      return contingencyTest(ref, cur, "pearson");
    },
  },
  {
    name: "g_test",
    title: "G-test (log-likelihood ratio)",
    verdict: "p_value",
    defaultThreshold: 0.1,
    types: BOTH,
    minSize: 1,
    run: (c) => {
      const { ref, cur } = c.categories();
      return contingencyTest(ref, cur, "log-likelihood");
    },
  },
  {
    name: "z",
    title: "Z-test for two proportions",
    verdict: "p_value",
    defaultThreshold: 0.05,
    types: BOTH,
    binary: true,
    minSize: 1,
    run: (c) => {
      const [a, , cc] = twoByTwo(c);
      return zTest(a, c.referenceSize, cc, c.currentSize);
    },
  },
  {
    name: "fisher_exact",
    title: "Fisher's exact test",
    verdict: "p_value",
    defaultThreshold: 0.1,
    types: BOTH,
    binary: true,
    minSize: 1,
    run: (c) => fisherExact(...twoByTwo(c)),
  },
];

export const DRIFT_TESTS: ReadonlyMap<TestName, DriftTest> = new Map(tests.map((t) => [t.name, t]));

export function getTest(name: string): DriftTest {
  const t = DRIFT_TESTS.get(name as TestName);
  if (!t) {
    throw new DriftInputError("unknown_test", `Unknown drift test "${name}"`, {
      known: [...DRIFT_TESTS.keys()],
    });
  }
  return t;
}

/**
 * Evidently's default choice. Reference ≤ 1000 rows: numerical with > 5 distinct values → KS,
 * 3–5 → chi-square, ≤ 2 → z-test; categorical with > 2 → chi-square, else z-test.
 * Reference > 1000 rows: numerical with > 5 distinct → Wasserstein (normed), else Jensen–Shannon.
 */
export function defaultTest(column: PreparedColumn): TestName {
  const n = column.distinct;
  if (column.referenceSize <= 1000) {
    if (column.type === "numerical") return n > 5 ? "ks" : n > 2 ? "chisquare" : "z";
    return n > 2 ? "chisquare" : "z";
  }
  if (column.type === "numerical" && n > 5) return "wasserstein";
  return "jensenshannon";
}
