/**
 * Checking prediction rows against a data contract (pure). A row's violations are stored with the
 * row (it is flagged, never dropped); a batch summary counts them by field and rule and reports
 * upstream schema changes: fields the contract does not know, and contract fields no row carried.
 */

import type { FieldRule, Violation } from "../schemas/contracts/rules.ts";
import type { ContractIn, FeatureValue } from "./model.ts";

/** Below this many rows a batch says nothing about a field having vanished. */
export const MIN_ROWS_FOR_VANISHED = 10;

/**
 * A clean batch resolves the model's open `validation` incident only with at least this many rows:
 * a handful of clean rows says too little about the contract holding again.
 */
export const MIN_ROWS_TO_RESOLVE = 10;

export interface CompiledContract {
  fields: [string, FieldRule, RegExp | undefined, Set<string> | undefined][];
  known: Set<string>;
  violationThreshold: number;
  detectSchemaChanges: boolean;
}

const valueKey = (v: unknown) => `${typeof v}:${String(v)}`;

export function compileContract(
  contract: Pick<ContractIn, "fields" | "violationThreshold" | "detectSchemaChanges">,
): CompiledContract {
  return {
    fields: Object.entries(contract.fields).map(([name, rule]) => [
      name,
      rule,
      rule.pattern === undefined ? undefined : new RegExp(rule.pattern, "u"),
      rule.values === undefined ? undefined : new Set(rule.values.map(valueKey)),
    ]),
    known: new Set(Object.keys(contract.fields)),
    violationThreshold: contract.violationThreshold,
    detectSchemaChanges: contract.detectSchemaChanges,
  };
}

function typeOk(type: FieldRule["type"], v: NonNullable<FeatureValue>): boolean {
  switch (type) {
    case "number":
      return typeof v === "number";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "category":
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    case "vector":
      return Array.isArray(v);
  }
}

/** The rules this row's features break (empty when it passes). */
export function checkRow(c: CompiledContract, features: Record<string, FeatureValue>): Violation[] {
  const out: Violation[] = [];
  for (const [field, rule, pattern, values] of c.fields) {
    const v = features[field];
    if (v === null || v === undefined) {
      if (!rule.nullable) out.push({ field, rule: "nullable", message: "missing or null" });
      continue;
    }
    if (!typeOk(rule.type, v)) {
      out.push({
        field,
        rule: "type",
        message: `expected ${rule.type}, got ${Array.isArray(v) ? "vector" : typeof v}`,
      });
      continue;
    }
    if (typeof v === "number") {
      if (rule.min !== undefined && v < rule.min)
        out.push({ field, rule: "min", message: `${v} < ${rule.min}` });
      if (rule.max !== undefined && v > rule.max)
        out.push({ field, rule: "max", message: `${v} > ${rule.max}` });
    }
    if (values && !Array.isArray(v) && !values.has(valueKey(v))) {
      out.push({ field, rule: "values", message: `${JSON.stringify(v)} is not an allowed value` });
    }
    if (pattern && typeof v === "string" && !pattern.test(v)) {
      out.push({ field, rule: "pattern", message: `does not match /${rule.pattern}/` });
    }
    if (Array.isArray(v) && rule.dimension !== undefined && v.length !== rule.dimension) {
      out.push({ field, rule: "dimension", message: `dimension ${v.length}, expected ${rule.dimension}` });
    }
  }
  return out;
}

/** What a BatchSummary counted, as plain data (from a prepare thread to the request's summary). */
export interface SummaryPart {
  rows: number;
  violatingRows: number;
  counts: Record<string, number>;
  nulls: [string, number][];
  present: [string, number][];
}

/** Accumulates one ingest batch: violation counts, null rates, field presence. */
export class BatchSummary {
  rows = 0;
  violatingRows = 0;
  /** "field.rule" → rows */
  readonly counts: Record<string, number> = {};
  private readonly nulls = new Map<string, number>();
  private readonly present = new Map<string, number>();

  constructor(private readonly c: CompiledContract) {}

  add(features: Record<string, FeatureValue>, violations: readonly Violation[]): void {
    this.rows++;
    if (violations.length) this.violatingRows++;
    const seen = violations.length > 1 ? new Set<string>() : undefined;
    for (const v of violations) {
      const key = `${v.field}.${v.rule}`;
      // A row counts once per field and rule.
      if (seen?.has(key)) continue;
      seen?.add(key);
      this.counts[key] = (this.counts[key] ?? 0) + 1;
    }
    for (const key in features) {
      this.present.set(key, (this.present.get(key) ?? 0) + 1);
      if (features[key] === null) this.nulls.set(key, (this.nulls.get(key) ?? 0) + 1);
    }
  }

  /** What this summary counted, to be absorbed by another. */
  part(): SummaryPart {
    return {
      rows: this.rows,
      violatingRows: this.violatingRows,
      counts: this.counts,
      nulls: [...this.nulls],
      present: [...this.present],
    };
  }

  /** Adds what another summary of the same contract counted (rows are counted once, wherever). */
  absorb(p: SummaryPart): void {
    this.rows += p.rows;
    this.violatingRows += p.violatingRows;
    for (const [k, n] of Object.entries(p.counts)) this.counts[k] = (this.counts[k] ?? 0) + n;
    for (const [k, n] of p.nulls) this.nulls.set(k, (this.nulls.get(k) ?? 0) + n);
    for (const [k, n] of p.present) this.present.set(k, (this.present.get(k) ?? 0) + n);
  }

  get violationRate(): number {
    return this.rows === 0 ? 0 : this.violatingRows / this.rows;
  }

  /** Fields whose share of null/absent values broke their maxNullRate. */
  nullRateBreaches(): { field: string; rate: number; max: number }[] {
    if (this.rows === 0) return [];
    const out = [];
    for (const [field, rule] of this.c.fields) {
      if (rule.maxNullRate === undefined) continue;
      const missing = this.rows - (this.present.get(field) ?? 0) + (this.nulls.get(field) ?? 0);
      const rate = missing / this.rows;
      if (rate > rule.maxNullRate) out.push({ field, rate, max: rule.maxNullRate });
    }
    return out;
  }

  /** Fields at least one row of the batch carried (null counts: the field is there). */
  presentFields(): Set<string> {
    return new Set(this.present.keys());
  }

  schemaChanges(): { newFields: string[]; vanishedFields: string[] } {
    if (!this.c.detectSchemaChanges) return { newFields: [], vanishedFields: [] };
    const newFields = [...this.present.keys()].filter((k) => !this.c.known.has(k)).sort();
    const vanishedFields =
      this.rows < MIN_ROWS_FOR_VANISHED ? [] : [...this.c.known].filter((k) => !this.present.has(k)).sort();
    return { newFields, vanishedFields };
  }

  /** Over the contract's threshold, or a null-rate rule broken: worth a `validation` incident. */
  get breached(): boolean {
    return this.violationRate > this.c.violationThreshold || this.nullRateBreaches().length > 0;
  }
}

/**
 * Whether an upstream schema change reported earlier (new and vanished fields) is settled: every new
 * field is now in the contract, and every vanished field is either back (`seen` in a later batch) or
 * no longer in the contract.
 */
export function schemaChangeSettled(
  change: { newFields?: readonly string[]; vanishedFields?: readonly string[] },
  contractFields: ReadonlySet<string>,
  seen: ReadonlySet<string> = new Set(),
): boolean {
  return (
    (change.newFields ?? []).every((f) => contractFields.has(f)) &&
    (change.vanishedFields ?? []).every((f) => seen.has(f) || !contractFields.has(f))
  );
}
