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

/**
 * SQLSTATEs that mean "this value cannot be stored or compared" — data exceptions (22xxx: NUL or
 * bad bytes in text, numbers and dates out of range, bad text for a type) and program limits
 * (54xxx: an index row too large, nesting too deep, too many arguments) — and postgres.js's own
 * refusal of a statement with more than 65,535 parameters.
 */
const INPUT_REFUSED = /^(22\w{3}|54\w{3}|MAX_PARAMETERS_EXCEEDED)$/;

/**
 * The code and a short message when the database (or its driver) refused a value of the request,
 * so the app answers 400 rather than 500; undefined for any other error.
 */
export function inputRefusedByDatabase(error: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && INPUT_REFUSED.test(code)) {
      const message = String((e as { message?: unknown }).message ?? code);
      return { code, message: message.length > 200 ? `${message.slice(0, 200)}…` : message };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A unique violation (23505), however deep Drizzle wrapped the driver's error. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
