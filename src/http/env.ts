import { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import { validationHook } from "./validation.ts";

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
