import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";

export interface ConcurrencyLimitOptions {
  /** Requests handled at once. */
  max: number;
  /** Requests waiting for one of those places, first come first served. */
  queue: number;
  /** Seconds a refused client is asked to wait before retrying (Retry-After). */
  retryAfter: number;
  /** The 429's message. */
  message?: string;
}

/**
 * Bounds concurrent work behind a route (and so its memory and database connections): up to `max`
 * requests run, up to `queue` wait; past that the client gets 429 `too_many_requests` +
 * Retry-After and retries, as OTLP exporters do — better than accepting work the database cannot
 * keep up with. Each call makes one independent limit, shared by the routes it is mounted on.
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): MiddlewareHandler {
  const { max, queue, retryAfter, message = "Vigil is busy; retry later" } = options;
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function concurrencyLimit(_c, next) {
    if (active >= max) {
      if (waiting.length >= queue) {
        throw new ApiError(429, "too_many_requests", message, undefined, retryAfter);
      }
      // The place is handed over by the request that frees it, so `active` never dips in between.
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      active++;
    }
    try {
      await next();
    } finally {
      const nextInLine = waiting.shift();
      if (nextInLine) nextInLine();
      else active--;
    }
  };
}
