/**
 * Why something cannot be done, in the domain's words. Stores, services and pure code throw
 * these; src/http/errors.ts maps each kind to an HTTP status, the CLI to an exit code, so the
 * code that finds the problem never speaks HTTP.
 */
export type ErrorKind =
  /** The input is malformed. */
  | "invalid"
  | "not_found"
  /** The request contradicts the current state. */
  | "conflict"
  | "too_large"
  /** Well-formed, but it cannot be acted on (wrong shape of thing, mismatched inputs). */
  | "unprocessable"
  /** Overloaded: retry after `retryAfter` seconds. */
  | "busy"
  /** A dependency (the database) is down: retry after `retryAfter` seconds. */
  | "unavailable";

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable, machine-readable: the API's `error.code`. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, for busy/unavailable. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalidInput = (message: string, details?: unknown) =>
  new DomainError("invalid", "bad_request", message, details);
export const notFoundError = (message: string) => new DomainError("not_found", "not_found", message);
export const conflictError = (message: string, details?: unknown) =>
  new DomainError("conflict", "conflict", message, details);
