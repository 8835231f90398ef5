import type { ContentfulStatusCode } from "hono/utils/http-status";

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
