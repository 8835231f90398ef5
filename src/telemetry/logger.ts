import pino, { type Logger } from "pino";

/** Longest message or statement a log line carries; the rest is cut ("…[n more]"). */
const MAX_TEXT = 2000;
const MAX_STACK = 8000;

const cap = (s: string, max = MAX_TEXT) =>
  s.length > max ? `${s.slice(0, max)}…[${s.length - max} more]` : s;

/** drizzle appends a failed query's parameters to its message (and so to its stack): cut them. */
const withoutParams = (s: string) => s.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, "");

/** Fields of a database error that say what failed without repeating the data that failed it. */
const KEPT = ["code", "severity", "routine", "constraint", "table", "column", "schema"] as const;

/**
 * Errors as they are logged. A failed query's error carries the statement's parameters (pino's
 * default serializer copies every field: `parameters`, `args`, `params`, PostgreSQL's `where` and
 * `detail`), and they hold request data — a channel's webhook secret, a whole 15 MB body. So an
 * error is logged as its type, message and stack (parameters cut, lengths capped), the statement
 * text, and the database's own classification; its causes the same way.
 */
export function logError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: e.constructor?.name ?? e.name,
    message: cap(withoutParams(e.message)),
  };
  for (const key of KEPT) if (typeof e[key] === "string" || typeof e[key] === "number") out[key] = e[key];
  if (typeof e.query === "string") out.statement = cap(e.query);
  if (e.stack) out.stack = cap(withoutParams(e.stack), MAX_STACK);
  if (e.cause !== undefined && depth < 3) out.cause = logError(e.cause, depth + 1);
  return out;
}

/** Structured JSON logs on stdout; request handlers log through a child carrying the request id. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "vigil" },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: logError, error: logError },
    formatters: {
      // A log line is a log line: no field of it carries megabytes.
      log: (object) => {
        for (const [k, v] of Object.entries(object)) if (typeof v === "string") object[k] = cap(v);
        return object;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
