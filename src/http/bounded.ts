/**
 * zod schemas for values every route bounds the same way, so what passes validation is something
 * PostgreSQL can store and compare: instants in a range every column and window arithmetic holds,
 * numbers a bigint or double column holds, lists short enough to be query parameters.
 */
import { z } from "@hono/zod-openapi";

/** The earliest instant Vigil accepts: 1900-01-01T00:00:00Z. */
export const EARLIEST_INSTANT = Date.UTC(1900, 0, 1);
/** The first instant Vigil refuses: 3000-01-01T00:00:00Z (a window ending there still subtracts cleanly). */
export const END_OF_INSTANTS = Date.UTC(3000, 0, 1);

export const inInstantRange = (ms: number) => ms >= EARLIEST_INSTANT && ms < END_OF_INSTANTS;
const RANGE_MESSAGE = "must be between 1900-01-01 and 2999-12-31";

/** An ISO 8601 date-time with an offset, between 1900 and 2999. */
export const isoInstant = () =>
  z.iso.datetime({ offset: true }).refine((s) => inInstantRange(Date.parse(s)), { message: RANGE_MESSAGE });

/** Epoch milliseconds, between 1900 and 2999. */
export const epochMillis = () =>
  z
    .number()
    .int()
    .min(EARLIEST_INSTANT)
    .max(END_OF_INSTANTS - 1);

/** The largest integer a bigint column takes, and the bound on counts and durations from a query. */
export const MAX_BIGINT = 2n ** 63n - 1n;
/** Milliseconds in ~31,700 years: far past any span or window, and exact in a double. */
export const MAX_DURATION_MS = 1e12;

/** A number from a query string, finite and within [min, max]. */
export const queryNumber = (min: number, max: number) => z.coerce.number().min(min).max(max);
