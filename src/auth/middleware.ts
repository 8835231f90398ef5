import type { MiddlewareHandler } from "hono";
import type { Database } from "../db/client.ts";
import type { AppEnv } from "../http/env.ts";
import { ApiError } from "../http/errors.ts";
import { bearerToken } from "./keys.ts";
import { findActiveKey } from "./store.ts";

/** `Authorization: Bearer <key>` → the key's project on the context, or 401. */
export function requireApiKey(database: Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError(401, "unauthorized", "Missing API key: send 'Authorization: Bearer <key>'");
    }
    const found = await findActiveKey(database.db, token);
    if (!found) throw new ApiError(401, "unauthorized", "Invalid or revoked API key");
    c.set("project", { id: found.projectId, name: found.projectName });
    c.set("apiKeyId", found.keyId);
    await next();
  };
}
