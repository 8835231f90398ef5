import type { MiddlewareHandler } from "hono";
import type { Database } from "../db/client.ts";
import type { AppEnv } from "../http/env.ts";
import { ApiError } from "../http/errors.ts";
import type { KeyCache } from "./key-cache.ts";
import { bearerToken, hashApiKey } from "./keys.ts";
import { findActiveKey } from "./store.ts";

/**
 * `Authorization: Bearer <key>` → the key's project on the context, or 401. Keys found active are
 * cached (src/auth/key-cache.ts); `cache` is cleared by revocations (src/auth/revocations.ts).
 */
export function requireApiKey(database: Database, cache: KeyCache): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError(401, "unauthorized", "Missing API key: send 'Authorization: Bearer <key>'");
    }
    const hash = hashApiKey(token);
    let found = cache.get(hash);
    if (!found) {
      const generation = cache.generation;
      found = await findActiveKey(database.db, hash);
      if (!found) throw new ApiError(401, "unauthorized", "Invalid or revoked API key");
      cache.set(hash, found, generation);
    }
    c.set("project", { id: found.projectId, name: found.projectName });
    c.set("apiKeyId", found.keyId);
    await next();
  };
}
