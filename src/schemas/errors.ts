import { ApiError } from "../http/errors.ts";

/**
 * Bad schema input, raised by the pure normalisers. It is an ApiError so a route can let it
 * propagate (the app's error handler renders `{ error: { code, message, details } }`), and the
 * CLI can recognise it and exit with code 2.
 */
export class SchemaInputError extends ApiError {
  constructor(status: 400 | 413 | 422, code: string, message: string, details?: unknown) {
    super(status, code, message, details);
    this.name = "SchemaInputError";
  }
}

/** Input is not parseable at all (not JSON, broken CSV/SQL). */
export const notParseable = (message: string, details?: unknown) =>
  new SchemaInputError(400, "invalid_schema_syntax", message, details);
/** Parseable, but no accepted schema form fits, or the form is malformed. */
export const invalidSchema = (message: string, details?: unknown) =>
  new SchemaInputError(422, "invalid_schema", message, details);
export const unknownForm = (message: string, details?: unknown) =>
  new SchemaInputError(422, "unknown_schema_form", message, details);
export const cyclicSchema = (message: string, details?: unknown) =>
  new SchemaInputError(422, "cyclic_schema", message, details);
export const tooLarge = (message: string, details?: unknown) =>
  new SchemaInputError(413, "schema_too_large", message, details);
