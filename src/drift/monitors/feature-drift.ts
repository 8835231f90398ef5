/**
 * Adapter from what a monitor run collects to the drift engine (src/drift/stats): numerical
 * features are tested on (sampled) values, categorical ones on full value counts aggregated in
 * SQL, handed to the engine as a prepared column so no row is materialised in Node. Each result
 * carries the column's binned distribution in both windows, made from that same prepared column,
 * so the picture shows the values the test saw (even when the test itself could not run).
 */

import {
  type ColumnType,
  type CompareOptions,
  columnDistribution,
  DriftInputError,
  type PreparedColumn,
  prepareColumn,
  testColumn,
} from "../stats/index.ts";
import type { FeatureResult } from "./model.ts";

export type FeatureKind = ColumnType | "vector";

/** Integer columns with at most this many distinct values are categories (Evidently's rule). */
export const MAX_INTEGER_CATEGORIES = 10;

const isMissing = (v: unknown) => v === null || v === undefined || v === "";

/** numerical / categorical / vector, from the values of both samples (an explicit type wins). */
export function featureKind(values: Iterable<unknown>, forced?: ColumnType): FeatureKind {
  let numbers = 0;
  let others = 0;
  let vectors = 0;
  let allIntegers = true;
  const distinct = new Set<number>();
  for (const v of values) {
    if (isMissing(v)) continue;
    if (Array.isArray(v)) vectors++;
    else if (typeof v === "number") {
      numbers++;
      if (!Number.isInteger(v)) allIntegers = false;
      else if (distinct.size <= MAX_INTEGER_CATEGORIES) distinct.add(v);
    } else others++;
  }
  if (vectors > 0 && vectors >= numbers + others) return "vector";
  if (forced) return forced;
  if (numbers > 0 && others === 0) {
    return allIntegers && distinct.size <= MAX_INTEGER_CATEGORIES ? "categorical" : "numerical";
  }
  return "categorical";
}

/** These input problems mean the data changed under the feature: they count as drift. */
const DRIFT_LIKE = new Set(["empty_column", "test_type_mismatch"]);

function errorResult(name: string, error: unknown): FeatureResult {
  if (error instanceof DriftInputError) {
    const vanished = error.code === "empty_column" && /current/.test(error.message);
    return {
      name,
      drifted: vanished || (DRIFT_LIKE.has(error.code) && error.code !== "empty_column"),
      error: { code: error.code, message: error.message },
    };
  }
  throw error;
}

/** A numerical feature from raw (possibly sampled) values. */
export function testNumerical(
  name: string,
  reference: readonly unknown[],
  current: readonly unknown[],
  options: CompareOptions,
  sampled: boolean,
): FeatureResult {
  const column = prepareColumn(name, reference, current, "numerical");
  const distribution = columnDistribution(column);
  try {
    return { ...testColumn(column, options), sampled, distribution };
  } catch (error) {
    return { ...errorResult(name, error), distribution };
  }
}

/** A categorical feature from value counts (null key = missing). */
export function testCategorical(
  name: string,
  reference: ReadonlyMap<string | null, number>,
  current: ReadonlyMap<string | null, number>,
  options: CompareOptions,
): FeatureResult {
  const labels = [...new Set([...reference.keys(), ...current.keys()])]
    .filter((k): k is string => k !== null && k !== "")
    .sort();
  const ref = Float64Array.from(labels, (l) => reference.get(l) ?? 0);
  const cur = Float64Array.from(labels, (l) => current.get(l) ?? 0);
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  const missing = (m: ReadonlyMap<string | null, number>) => (m.get(null) ?? 0) + (m.get("") ?? 0);
  const column: PreparedColumn = {
    name,
    type: "categorical",
    categories: () => ({ labels, ref, cur }),
    referenceSize: sum(ref),
    currentSize: sum(cur),
    missing: { reference: missing(reference), current: missing(current) },
    distinct: labels.length,
  };
  const distribution = columnDistribution(column);
  try {
    return { ...testColumn(column, options), sampled: false, distribution };
  } catch (error) {
    return { ...errorResult(name, error), distribution };
  }
}
