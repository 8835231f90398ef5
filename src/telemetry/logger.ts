import pino, { type Logger } from "pino";

/** Structured JSON logs on stdout; request handlers log through a child carrying the request id. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "vigil" }, timestamp: pino.stdTimeFunctions.isoTime });
}
