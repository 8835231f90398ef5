import { badRequest } from "../http/errors.ts";
import type { FieldRule } from "./model.ts";

/** What zod cannot say about field rules: a pattern that compiles, min not above max. Throws a 400. */
export function validateFieldRules(fields: Record<string, FieldRule>): void {
  for (const [field, rule] of Object.entries(fields)) {
    if (rule.pattern !== undefined) {
      try {
        new RegExp(rule.pattern, "u");
      } catch (e) {
        throw badRequest(
          `fields.${field}.pattern is not a valid regular expression: ${(e as Error).message}`,
        );
      }
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      throw badRequest(`fields.${field}: min is above max`);
    }
  }
}

/** Row bounds some count can meet: minRows not above maxRows (else the rule always fails). Throws a 400. */
export function validateBatchRules(batch: { minRows?: number; maxRows?: number } | undefined): void {
  if (batch?.minRows !== undefined && batch.maxRows !== undefined && batch.minRows > batch.maxRows)
    throw badRequest("batch.minRows is above batch.maxRows");
}
