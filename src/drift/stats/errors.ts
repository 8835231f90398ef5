/**
 * Input problems the drift engine reports instead of crashing. Pure (no HTTP); the route maps
 * them to 400/422 and the CLI prints them.
 */
export type DriftInputCode =
  | "invalid_input"
  | "invalid_options"
  | "column_mismatch"
  | "empty_column"
  | "no_columns"
  | "unknown_column"
  | "unknown_test"
  | "test_type_mismatch"
  | "not_binary"
  | "too_few_values";

export class DriftInputError extends Error {
  constructor(
    readonly code: DriftInputCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DriftInputError";
  }
}
