import { DomainError } from "../lib/errors.ts";

type SchemaErrorKind = "invalid" | "too_large" | "unprocessable";

/**
 * Bad schema input, raised by the pure normalisers. A domain error, so a route lets it propagate
 * (the app renders `{ error: { code, message, details } }` with the kind's status), and the CLI
 * recognises it and exits with code 2.
 */
export class SchemaInputError extends DomainError {
  constructor(kind: SchemaErrorKind, code: string, message: string, details?: unknown) {
    super(kind, code, message, details);
    this.name = "SchemaInputError";
  }
}

/** Input is not parseable at all (not JSON, broken CSV/SQL). */
export const notParseable = (message: string, details?: unknown) =>
  new SchemaInputError("invalid", "invalid_schema_syntax", message, details);
/** Parseable, but no accepted schema form fits, or the form is malformed. */
export const invalidSchema = (message: string, details?: unknown) =>
  new SchemaInputError("unprocessable", "invalid_schema", message, details);
export const unknownForm = (message: string, details?: unknown) =>
  new SchemaInputError("unprocessable", "unknown_schema_form", message, details);
export const cyclicSchema = (message: string, details?: unknown) =>
  new SchemaInputError("unprocessable", "cyclic_schema", message, details);
export const tooLarge = (message: string, details?: unknown) =>
  new SchemaInputError("too_large", "schema_too_large", message, details);
