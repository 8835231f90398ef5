/**
 * The rule vocabulary of data contracts, shared by model contracts (src/predictions) and dataset
 * contracts (./): field rules, the violations they report, what zod cannot check of them, and
 * batch rules (pure): rows within [minRows, maxRows], and the newest data no older than
 * freshnessSeconds. For a model the rows are those of a window (windowSeconds) and the newest is
 * the newest prediction; for a dataset, the rows of its last write and the time of that write.
 */
import { z } from "@hono/zod-openapi";
import { invalidInput } from "../../lib/errors.ts";

export const FIELD_TYPES = ["number", "integer", "string", "boolean", "category", "vector"] as const;

export const FieldRule = z
  .object({
    type: z.enum(FIELD_TYPES),
    /** Whether null/absent is allowed for one row. */
    nullable: z.boolean().default(true),
    min: z.number().optional(),
    max: z.number().optional(),
    /** For category (and string): the allowed values. */
    values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** For string: a regular expression the value must match (whole value: anchor it yourself). */
    pattern: z.string().max(1000).optional(),
    /** For vector: the dimension. */
    dimension: z.number().int().positive().optional(),
    /** Largest share of null/absent values in one ingest batch. */
    maxNullRate: z.number().min(0).max(1).optional(),
  })
  .strict()
  .openapi("ContractFieldRule");
export type FieldRule = z.infer<typeof FieldRule>;

/** One broken rule on one row. */
export interface Violation {
  field: string;
  rule: "type" | "nullable" | "min" | "max" | "values" | "pattern" | "dimension" | "present";
  message: string;
}

/** What zod cannot say about field rules: a pattern that compiles, min not above max. Throws an invalid-input error. */
export function validateFieldRules(fields: Record<string, FieldRule>): void {
  for (const [field, rule] of Object.entries(fields)) {
    if (rule.pattern !== undefined) {
      try {
        new RegExp(rule.pattern, "u");
      } catch (e) {
        throw invalidInput(
          `fields.${field}.pattern is not a valid regular expression: ${(e as Error).message}`,
        );
      }
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      throw invalidInput(`fields.${field}: min is above max`);
    }
  }
}

/** Row bounds some count can meet: minRows not above maxRows (else the rule always fails). Throws an invalid-input error. */
export function validateBatchRules(batch: { minRows?: number; maxRows?: number } | undefined): void {
  if (batch?.minRows !== undefined && batch.maxRows !== undefined && batch.minRows > batch.maxRows)
    throw invalidInput("batch.minRows is above batch.maxRows");
}

export interface BatchCheck {
  rule: "minRows" | "maxRows" | "freshness";
  ok: boolean;
  message: string;
}

/** How the messages name the rows and the newest data. */
export interface BatchWording {
  /** After "N rows": e.g. "in the last 3600s". */
  rows: string;
  /** e.g. "newest prediction". */
  newest: string;
  /** When there is no data at all. */
  none: string;
}

/** The batch rules checkBatchRules reads (a model contract's BatchRules, a dataset's). */
export interface RowRules {
  minRows?: number;
  maxRows?: number;
  windowSeconds?: number;
  freshnessSeconds?: number;
}

export function checkBatchRules(
  rules: RowRules,
  window: { rows: number; newest: string | null },
  now: Date,
  wording: BatchWording = {
    rows: `in the last ${rules.windowSeconds ?? 3600}s`,
    newest: "newest prediction",
    none: "no predictions at all",
  },
): BatchCheck[] {
  const out: BatchCheck[] = [];
  const per = wording.rows;
  if (rules.minRows !== undefined) {
    const ok = window.rows >= rules.minRows;
    out.push({ rule: "minRows", ok, message: `${window.rows} rows ${per} (min ${rules.minRows})` });
  }
  if (rules.maxRows !== undefined) {
    const ok = window.rows <= rules.maxRows;
    out.push({ rule: "maxRows", ok, message: `${window.rows} rows ${per} (max ${rules.maxRows})` });
  }
  if (rules.freshnessSeconds !== undefined) {
    const age =
      window.newest === null ? Number.POSITIVE_INFINITY : (now.getTime() - Date.parse(window.newest)) / 1000;
    out.push({
      rule: "freshness",
      ok: age <= rules.freshnessSeconds,
      message:
        window.newest === null
          ? wording.none
          : `${wording.newest} ${Math.round(age)}s old (max ${rules.freshnessSeconds}s)`,
    });
  }
  return out;
}
