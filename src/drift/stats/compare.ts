/**
 * compareDatasets: the one entry point — per-column drift tests and the dataset verdict.
 */
import { z } from "@hono/zod-openapi";
import { DriftInputError } from "./errors.ts";
import { DISTINCT_COUNT_CAP, type PreparedColumn, prepareColumn, type RawColumn } from "./prepare.ts";
import { defaultTest, getTest } from "./registry.ts";
import {
  type ColumnResult,
  type CompareOptions,
  CompareOptionsSchema,
  type CompareResult,
  TEST_NAMES,
} from "./schema.ts";

export const DEFAULT_DATASET_DRIFT_SHARE = 0.5;

export type Dataset = Record<string, RawColumn>;

const finiteOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) ? null : x;

function checkColumns(reference: Dataset, current: Dataset, options: CompareOptions): string[] {
  const refNames = Object.keys(reference);
  const curNames = new Set(Object.keys(current));
  const onlyInReference = refNames.filter((n) => !curNames.has(n));
  const onlyInCurrent = [...curNames].filter((n) => !(n in reference));
  if (onlyInReference.length || onlyInCurrent.length) {
    throw new DriftInputError("column_mismatch", "Reference and current must have the same columns", {
      onlyInReference,
      onlyInCurrent,
    });
  }
  if (refNames.length === 0) throw new DriftInputError("no_columns", "No columns to compare");
  const unknown = Object.keys(options.columns ?? {}).filter((n) => !(n in reference));
  if (unknown.length) {
    throw new DriftInputError(
      "unknown_column",
      `Options name columns not in the data: ${unknown.join(", ")}`,
      {
        columns: unknown,
      },
    );
  }
  return refNames;
}

export function testColumn(
  column: PreparedColumn & { numericMismatch?: boolean },
  options: CompareOptions,
): ColumnResult {
  const colOpts = options.columns?.[column.name] ?? {};
  const name = column.name;
  if (column.referenceSize === 0 || column.currentSize === 0) {
    throw new DriftInputError(
      "empty_column",
      `Column "${name}" has no non-missing values in ${column.referenceSize === 0 ? "reference" : "current"}`,
      {
        column: name,
        missing: column.missing,
      },
    );
  }
  if (column.numericMismatch) {
    throw new DriftInputError(
      "test_type_mismatch",
      `Column "${name}" is declared numerical but holds non-numeric values`,
      {
        column: name,
      },
    );
  }
  const test = getTest(colOpts.test ?? defaultTest(column));
  if (!test.types.includes(column.type)) {
    throw new DriftInputError(
      "test_type_mismatch",
      `Test "${test.name}" needs a ${test.types.join(" or ")} column; "${name}" is ${column.type}`,
      { column: name, test: test.name, type: column.type, accepts: test.types },
    );
  }
  if (test.binary && column.distinct > 2) {
    throw new DriftInputError(
      "not_binary",
      `Test "${test.name}" needs at most two categories; "${name}" has ${column.distinct}${column.refSorted && column.distinct >= DISTINCT_COUNT_CAP ? " or more" : ""}`,
      {
        column: name,
        test: test.name,
        categories: column.distinct,
      },
    );
  }
  if (column.referenceSize < test.minSize || column.currentSize < test.minSize) {
    throw new DriftInputError(
      "too_few_values",
      `Test "${test.name}" needs at least ${test.minSize} values per sample in "${name}"`,
      {
        column: name,
        test: test.name,
        referenceSize: column.referenceSize,
        currentSize: column.currentSize,
      },
    );
  }
  const threshold = colOpts.threshold ?? test.defaultThreshold;
  const outcome = test.run(column, options);
  const drifted =
    test.verdict === "p_value"
      ? outcome.pValue !== undefined && outcome.pValue < threshold
      : Number.isFinite(outcome.statistic)
        ? outcome.statistic >= threshold
        : outcome.statistic === Number.POSITIVE_INFINITY;
  const result: ColumnResult = {
    name,
    type: column.type,
    test: test.name,
    statistic: finiteOrNull(outcome.statistic),
    ...(test.verdict === "p_value" ? { pValue: finiteOrNull(outcome.pValue) } : {}),
    threshold,
    drifted,
    referenceSize: column.referenceSize,
    currentSize: column.currentSize,
    missing: column.missing,
  };
  return result;
}

/**
 * Compare two datasets column by column. Columns are arrays (numbers/strings/booleans/null) or
 * Float64Arrays (NaN = missing). Throws DriftInputError on unusable input.
 */
export function compareDatasets(
  reference: Dataset,
  current: Dataset,
  rawOptions: CompareOptions = {},
): CompareResult {
  const parsed = CompareOptionsSchema.safeParse(rawOptions);
  if (!parsed.success) {
    const unknownTest = parsed.error.issues.find((i) => i.path.at(-1) === "test");
    if (unknownTest) {
      throw new DriftInputError("unknown_test", `Unknown drift test at ${unknownTest.path.join(".")}`, {
        known: TEST_NAMES,
      });
    }
    throw new DriftInputError("invalid_options", `Invalid options: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const options = parsed.data;
  const names = checkColumns(reference, current, options);
  const columns: ColumnResult[] = [];
  for (const name of names) {
    const prepared = prepareColumn(name, reference[name]!, current[name]!, options.columns?.[name]?.type);
    columns.push(testColumn(prepared, options));
  }
  const driftedColumns = columns.filter((c) => c.drifted).length;
  const share = driftedColumns / columns.length;
  const datasetDriftShare = options.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE;
  return {
    drifted: share >= datasetDriftShare,
    share,
    driftedColumns,
    columnCount: columns.length,
    datasetDriftShare,
    columns,
  };
}
