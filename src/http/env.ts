import { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Jobs } from "../jobs/queue.ts";
import type { SpanWriter } from "../traces/store/writer.ts";
import { validationHook } from "./validation.ts";

/** What every capability's routes get: built once in main.ts, passed down, never global. */
export interface AppDeps {
  config: Config;
  database: Database;
  log: Logger;
  jobs: Jobs;
  /** Writes queued OTLP batches to the span store in the background (src/traces/writer.ts). */
  spanWriter: SpanWriter;
}

/** Per-request context: set by the request-id and auth middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** The authenticated project (set on /api/* and /v1/*). */
    project: { id: string; name: string };
    apiKeyId: string;
  };
}

/** A router for one capability, with the shared zod error rendering. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
