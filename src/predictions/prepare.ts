/**
 * Prediction rows prepared for the store (pure): values parsed and validated, then checked against
 * their model's contract and written as COPY text of `predictions` — the form the database loads
 * fastest, built where the rows are at hand, so nothing is serialised twice.
 */
import type { Violation } from "../schemas/contracts/rules.ts";
import {
  BatchSummary,
  type CompiledContract,
  checkRow,
  compileContract,
  type SummaryPart,
} from "./contract-check.ts";
import { type ContractIn, PredictionIn } from "./model.ts";
import { StreamParseError } from "./parse-stream.ts";
import { quickPrediction } from "./quick-validate.ts";

/** The columns of `predictions` a prepared row fills, in their COPY order. */
export const PREDICTION_COLUMNS = [
  "project_id",
  "model",
  "model_version",
  "ts",
  "request_id",
  "features",
  "output",
  "label",
  "labeled_at",
  "validation",
  "flagged",
  "source",
] as const;

export type PredictionSource = "api" | "trace";

export interface RowError {
  row: number;
  issues: { path: string; message: string }[];
}

/** Parses the texts of values (split-stream.ts); `first` is the index of the first in the body. */
export function parseTexts(texts: readonly string[], first: number): unknown[] {
  const values = new Array<unknown>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    try {
      values[i] = JSON.parse(texts[i]!);
    } catch (error) {
      throw new StreamParseError(
        `Malformed JSON after ${first + i} values: ${(error as Error).message}`,
        first + i,
      );
    }
  }
  return values;
}

/**
 * The valid rows of `values` and the errors of the others (at most `maxErrors` reported); `first`
 * is the index of the first value in the request. A row quickPrediction recognises is taken as it is;
 * zod judges the others.
 */
export function validateRows(
  values: readonly unknown[],
  first: number,
  maxErrors: number,
): { rows: PredictionIn[]; errors: RowError[] } {
  const rows: PredictionIn[] = [];
  const errors: RowError[] = [];
  for (let i = 0; i < values.length; i++) {
    const quick = quickPrediction(values[i]);
    if (quick) {
      rows.push(quick);
      continue;
    }
    const parsed = PredictionIn.safeParse(values[i]);
    if (parsed.success) rows.push(parsed.data);
    else if (errors.length < maxErrors) {
      errors.push({
        row: first + i,
        issues: parsed.error.issues.map((x) => ({ path: x.path.join("."), message: x.message })),
      });
    }
  }
  return { rows, errors };
}

/** What the rows of one model are checked against and counted into; undefined: no contract. */
export type ModelCheck = { contract: CompiledContract; summary: BatchSummary } | undefined;

/**
 * The COPY text of `rows`, each checked against its model's contract (violations stored on the
 * row, which is flagged; counted into the model's summary). `now` stands for a missing timestamp
 * and is when a label sent with its row counts as labelled. Every model must be in `checks`.
 */
export function copyRows(
  rows: readonly PredictionIn[],
  projectId: string,
  source: PredictionSource,
  now: string,
  checks: ReadonlyMap<string, ModelCheck>,
): string {
  let text = "";
  for (const p of rows) {
    const check = checks.get(p.model);
    let violations: Violation[] | undefined;
    if (check) {
      violations = checkRow(check.contract, p.features);
      check.summary.add(p.features, violations);
    }
    const flagged = violations !== undefined && violations.length > 0;
    const ts =
      p.timestamp === undefined
        ? now
        : typeof p.timestamp === "number"
          ? new Date(p.timestamp).toISOString()
          : p.timestamp;
    const label = p.label ?? null;
    text += `${projectId}\t${field(p.model)}\t${p.modelVersion === undefined ? "\\N" : field(p.modelVersion)}\t${field(
      ts,
    )}\t${p.requestId === undefined ? "\\N" : field(p.requestId)}\t${json(p.features)}\t${
      p.output === undefined || p.output === null ? "\\N" : json(p.output)
    }\t${label === null ? "\\N" : json(label)}\t${label === null ? "\\N" : now}\t${
      flagged ? json(violations) : "\\N"
    }\t${flagged ? "t" : "f"}\t${source}\n`;
  }
  return text;
}

/**
 * A text field in COPY text: backslash, tab, newline and CR escaped. Anything else goes as it is,
 * so what PostgreSQL refuses (a NUL) is refused as it was by the parameterised insert.
 */
function field(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A jsonb field in COPY text: JSON has no raw control characters, so only backslashes are doubled. */
function json(value: unknown): string {
  const s = JSON.stringify(value);
  return s.includes("\\") ? s.replaceAll("\\", "\\\\") : s;
}

/** What a prepare thread needs of a model's contract. */
export type ContractRules = Pick<ContractIn, "fields" | "violationThreshold" | "detectSchemaChanges">;

/** A piece of a request body to prepare (off the event loop: prepare-pool.ts). */
export interface PieceInput {
  texts: string[];
  /** Index in the request of the first value. */
  first: number;
  projectId: string;
  source: PredictionSource;
  now: string;
  /** Every model seen so far in the request: its contract's rules, or null for none. */
  contracts: Map<string, ContractRules | null>;
  maxErrors: number;
  /** Collect the request ids of rows without a label (the project has labels waiting). */
  requestIds: boolean;
}

export type PieceOutput =
  | { kind: "malformed"; message: string; index: number }
  | { kind: "invalid"; errors: RowError[] }
  /** Models not in `contracts`: look them up and prepare the piece again. */
  | { kind: "models"; models: string[] }
  | {
      kind: "rows";
      count: number;
      text: string;
      summaries: [string, SummaryPart][];
      requestIds: string[];
    };

/** Parses, validates, checks and writes as COPY text one piece of a request body. Pure. */
export function preparePiece(input: PieceInput): PieceOutput {
  let values: unknown[];
  try {
    values = parseTexts(input.texts, input.first);
  } catch (error) {
    if (error instanceof StreamParseError)
      return { kind: "malformed", message: error.message, index: error.index };
    throw error;
  }
  const { rows, errors } = validateRows(values, input.first, input.maxErrors);
  if (errors.length) return { kind: "invalid", errors };
  const unknown = new Set<string>();
  for (const row of rows) if (!input.contracts.has(row.model)) unknown.add(row.model);
  if (unknown.size) return { kind: "models", models: [...unknown] };
  const checks = new Map<string, ModelCheck>();
  for (const [model, rules] of input.contracts) {
    if (!rules) checks.set(model, undefined);
    else {
      const contract = compileContract(rules);
      checks.set(model, { contract, summary: new BatchSummary(contract) });
    }
  }
  const text = copyRows(rows, input.projectId, input.source, input.now, checks);
  const summaries: [string, SummaryPart][] = [];
  for (const [model, check] of checks) if (check?.summary.rows) summaries.push([model, check.summary.part()]);
  const requestIds: string[] = [];
  if (input.requestIds) {
    for (const row of rows)
      if (row.requestId !== undefined && (row.label ?? null) === null) requestIds.push(row.requestId);
  }
  return { kind: "rows", count: rows.length, text, summaries, requestIds };
}
