import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type ErrorKind } from "../lib/errors.ts";

/**
 * The one error shape of the HTTP API: `{ error: { code, message, details? } }`.
 * Throw an ApiError anywhere below a route; the app's error handler renders it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, for 429/503: sent as Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, "bad_request", message, details);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
export const unprocessable = (message: string, details?: unknown) =>
  new ApiError(422, "unprocessable", message, details);
export const conflict = (message: string, details?: unknown) =>
  new ApiError(409, "conflict", message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The status of each kind of domain error (src/lib/errors.ts). */
export const STATUS_OF: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  busy: 429,
  unavailable: 503,
};

/** A domain error as the API answers it; ApiErrors and anything else pass through. */
export function asApiError(error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  return new ApiError(STATUS_OF[error.kind], error.code, error.message, error.details, error.retryAfter);
}
