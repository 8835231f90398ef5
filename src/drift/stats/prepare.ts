/**
 * From raw column values to what the tests consume. Missing values (null, undefined, NaN,
 * ±Infinity, empty string) are excluded and counted.
 *
 * Type inference when the caller gives none:
 * - every non-missing value (reference and current together) is a finite number → numerical,
 *   except integer-only columns with ≤ 10 distinct values, which are categorical codes
 *   (Evidently's rule, see DESIGN.md);
 * - anything else (strings, booleans, mixed) → categorical.
 */
import { sortedCopy } from "./numeric.ts";
import type { ColumnType } from "./schema.ts";

export type RawColumn = Float64Array | readonly unknown[];

export const MAX_DISTINCT_INTEGER_CATEGORIES = 10;
export const DISTINCT_COUNT_CAP = MAX_DISTINCT_INTEGER_CATEGORIES + 1;

export interface PreparedColumn {
  name: string;
  type: ColumnType;
  /** Sorted non-missing values (numerical data only, else undefined). */
  refSorted?: Float64Array;
  curSorted?: Float64Array;
  /** Non-missing values in input order (numerical data only; MMD's seeded subsampling uses it). */
  refValues?: Float64Array;
  curValues?: Float64Array;
  /** Category labels (ascending) and aligned counts. Built lazily for numerical data. */
  categories: () => { labels: string[]; ref: Float64Array; cur: Float64Array };
  referenceSize: number;
  currentSize: number;
  missing: { reference: number; current: number };
  /**
   * Distinct non-missing values over both samples. For numeric data counted only up to
   * DISTINCT_COUNT_CAP: every decision that reads it (type inference ≤ 10, default test > 5 / > 2,
   * binary tests > 2) is settled by then, and the full count would cost a pass over both samples.
   */
  distinct: number;
}

const isMissing = (v: unknown): boolean =>
  v === null || v === undefined || v === "" || (typeof v === "number" && !Number.isFinite(v));

interface Split {
  numbers: Float64Array | undefined;
  others: unknown[] | undefined;
  missing: number;
}

/** Non-missing values as numbers when all are numbers, else as raw values. */
function split(values: RawColumn): Split {
  if (values instanceof Float64Array) {
    let missing = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) missing++;
    if (missing === 0) return { numbers: values, others: undefined, missing };
    const out = new Float64Array(values.length - missing);
    let q = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out[q++] = values[i]!;
    return { numbers: out, others: undefined, missing };
  }
  let missing = 0;
  let allNumbers = true;
  for (const v of values) {
    if (isMissing(v)) missing++;
    else if (typeof v !== "number") allNumbers = false;
  }
  const n = values.length - missing;
  if (allNumbers) {
    const out = new Float64Array(n);
    let q = 0;
    for (const v of values) if (!isMissing(v)) out[q++] = v as number;
    return { numbers: out, others: undefined, missing };
  }
  return { numbers: undefined, others: values.filter((v) => !isMissing(v)), missing };
}

/** Distinct values of two sorted samples (up to `cap`) and whether those seen are all integers. */
function distinctSorted2(
  a: Float64Array,
  b: Float64Array,
  cap: number,
): { count: number; allIntegers: boolean } {
  let i = 0;
  let j = 0;
  let count = 0;
  let allIntegers = true;
  while ((i < a.length || j < b.length) && count < cap) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    count++;
    if (allIntegers && !Number.isInteger(v)) allIntegers = false;
  }
  return { count, allIntegers };
}

const label = (v: unknown): string => (typeof v === "string" ? v : String(v));

function numericCategories(a: Float64Array, b: Float64Array) {
  const labels: string[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const i0 = i;
    const j0 = j;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    labels.push(String(v));
    ref.push(i - i0);
    cur.push(j - j0);
  }
  return { labels, ref: Float64Array.from(ref), cur: Float64Array.from(cur) };
}

function labelCategories(a: unknown[], b: unknown[]) {
  const counts = new Map<string, [number, number]>();
  for (const v of a) {
    const k = label(v);
    const c = counts.get(k);
    if (c) c[0]++;
    else counts.set(k, [1, 0]);
  }
  for (const v of b) {
    const k = label(v);
    const c = counts.get(k);
    if (c) c[1]++;
    else counts.set(k, [0, 1]);
  }
  const labels = [...counts.keys()].sort();
  return {
    labels,
    ref: Float64Array.from(labels, (l) => counts.get(l)![0]),
    cur: Float64Array.from(labels, (l) => counts.get(l)![1]),
  };
}

/**
 * Prepare one column. `forcedType` overrides inference; asking for numerical on non-numeric data
 * returns `type: "categorical"` with `numericMismatch` so the caller can report it.
 */
export function prepareColumn(
  name: string,
  reference: RawColumn,
  current: RawColumn,
  forcedType?: ColumnType,
): PreparedColumn & { numericMismatch: boolean } {
  const r = split(reference);
  const c = split(current);
  const missing = { reference: r.missing, current: c.missing };
  if (r.numbers && c.numbers) {
    // The one sort each sample gets; every test of this column reuses these arrays.
    const refSorted = sortedCopy(r.numbers);
    const curSorted = sortedCopy(c.numbers);
    const { count, allIntegers } = distinctSorted2(refSorted, curSorted, DISTINCT_COUNT_CAP);
    const inferred: ColumnType =
      allIntegers && count <= MAX_DISTINCT_INTEGER_CATEGORIES ? "categorical" : "numerical";
    let cache: ReturnType<typeof numericCategories> | undefined;
    return {
      name,
      type: forcedType ?? inferred,
      refSorted,
      curSorted,
      refValues: r.numbers,
      curValues: c.numbers,
      categories: () => {
        cache ??= numericCategories(refSorted, curSorted);
        return cache;
      },
      referenceSize: refSorted.length,
      currentSize: curSorted.length,
      missing,
      distinct: count,
      numericMismatch: false,
    };
  }
  const a = r.others ?? Array.from(r.numbers ?? []);
  const b = c.others ?? Array.from(c.numbers ?? []);
  const cats = labelCategories(a, b);
  return {
    name,
    type: "categorical",
    categories: () => cats,
    referenceSize: a.length,
    currentSize: b.length,
    missing,
    distinct: cats.labels.length,
    numericMismatch: forcedType === "numerical",
  };
}
