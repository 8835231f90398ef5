import { existsSync, readFileSync } from "node:fs";
import { z } from "@hono/zod-openapi";
import type { Command } from "commander";
import {
  ColumnOptionsSchema,
  type CompareOptions,
  type CompareResult,
  compareDatasets,
  DriftInputError,
} from "../stats/index.ts";
import { formatFromName, parseDataset } from "./input.ts";

/**
 * `vigil drift compare --reference ref.csv --current cur.csv`: the stateless drift check for CI
 * and notebooks. Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad input.
 */
export interface DriftCompareArgs {
  reference: string;
  current: string;
  /** JSON text or a path to a JSON file: { column: { type?, test?, threshold? } }. */
  columns?: string;
  share?: string;
  json?: boolean;
}

export interface CliResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

const fmt = (x: number | null | undefined): string => {
  if (x === null || x === undefined) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? x.toPrecision(4).replace(/\.?0+$/, "") : x.toExponential(2);
};

/** Plain-text table: column, type, test, statistic, p-value, threshold, verdict, sizes, missing. */
export function formatCompareTable(r: CompareResult): string {
  const header = [
    "column",
    "type",
    "test",
    "statistic",
    "p-value",
    "threshold",
    "drift",
    "n ref/cur",
    "missing",
  ];
  const rows = r.columns.map((c) => [
    c.name,
    c.type,
    c.test,
    fmt(c.statistic),
    c.pValue === undefined ? "" : fmt(c.pValue),
    fmt(c.threshold),
    c.drifted ? "DRIFT" : "ok",
    `${c.referenceSize}/${c.currentSize}`,
    c.missing.reference + c.missing.current ? `${c.missing.reference}/${c.missing.current}` : "",
  ]);
  const widths = header.map((h, i) => Math.min(32, Math.max(h.length, ...rows.map((row) => row[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    line(header),
    ...rows.map(line),
    "",
    `${r.driftedColumns} of ${r.columnCount} columns drifted (${pct(r.share)}); dataset drift ${r.drifted ? "DETECTED" : "not detected"} (threshold ${pct(r.datasetDriftShare)})`,
    "",
  ].join("\n");
}

function readText(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new DriftInputError("invalid_input", `Cannot read ${path}: ${(e as Error).message}`);
  }
}

function columnOptions(raw: string): CompareOptions["columns"] {
  const text = raw.trim().startsWith("{") || !existsSync(raw) ? raw : readText(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DriftInputError(
      "invalid_options",
      "--columns must be JSON (or a JSON file): { column: { type?, test?, threshold? } }",
    );
  }
  const parsed = z.record(z.string(), ColumnOptionsSchema).safeParse(value);
  if (!parsed.success) {
    throw new DriftInputError("invalid_options", `--columns: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The command's work without process side effects, for tests and reuse. */
export function runDriftCompare(args: DriftCompareArgs): CliResult {
  let result: CompareResult;
  try {
    const options: CompareOptions = {};
    if (args.columns) options.columns = columnOptions(args.columns);
    if (args.share !== undefined) {
      const share = Number(args.share);
      if (!(share > 0 && share <= 1))
        throw new DriftInputError("invalid_options", "--share must be in (0, 1]");
      options.datasetDriftShare = share;
    }
    const load = (path: string) => {
      try {
        return parseDataset(readText(path), formatFromName(path));
      } catch (e) {
        if (e instanceof DriftInputError) e.message = `${path}: ${e.message}`;
        throw e;
      }
    };
    result = compareDatasets(load(args.reference), load(args.current), options);
  } catch (e) {
    if (e instanceof DriftInputError) {
      const stdout = args.json
        ? `${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } })}\n`
        : "";
      return { exitCode: 2, stdout, stderr: `vigil drift compare: ${e.message}\n` };
    }
    throw e;
  }
  return {
    exitCode: result.drifted ? 1 : 0,
    stdout: args.json ? `${JSON.stringify(result, null, 2)}\n` : formatCompareTable(result),
    stderr: "",
  };
}

export function registerDriftCommands(program: Command): void {
  const drift = program.command("drift").description("Statistical drift tests between two datasets");
  drift
    .command("compare")
    .description(
      "Compare a current dataset with a reference, column by column (CSV with header, NDJSON, or JSON; '-' reads stdin). Exit 1 when the dataset drifted, 2 on bad input",
    )
    .requiredOption("--reference <file>", "reference dataset")
    .requiredOption("--current <file>", "current dataset")
    .option(
      "--columns <json>",
      "per-column options as JSON or a JSON file: { col: { type?, test?, threshold? } }",
    )
    .option(
      "--share <share>",
      "dataset drift when the share of drifted columns is at least this (default 0.5)",
    )
    .option("--json", "print the result as JSON")
    .action((opts: DriftCompareArgs) => {
      const result = runDriftCompare(opts);
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
