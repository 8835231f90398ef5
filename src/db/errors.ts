const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/**
 * True when an error means "the database cannot be reached right now" (retry later), as opposed to a
 * bad query. Walks `cause` chains because Drizzle wraps driver errors.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /database is closed|PGlite is closed|not currently accepting connections/i.test(message)
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Safe to retry because nothing was committed: the database unreachable (above), refusing
 * connections (ALLOW_CONNECTIONS false, 55000), out of resources (53xxx), shutting down (57xxx),
 * or a transient conflict (serialization failure, deadlock).
 */
export function isRetryableError(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(55000|40001|40P01|53\d{3}|57\w{3}|08\w{3})$/.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
