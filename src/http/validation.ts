import type { Hook } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { ApiError } from "./errors.ts";

/** Turns a zod validation failure into the API's 400 error shape. */
export function zodError(error: z.ZodError, where = "request"): ApiError {
  return new ApiError(400, "invalid_" + where, `Invalid ${where}: ${z.prettifyError(error)}`, {
    issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code })),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route's schema
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw zodError(result.error, result.target === "json" ? "body" : result.target);
};
