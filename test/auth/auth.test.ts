import { Hono } from "hono";
import { expect, it } from "vitest";
import { KeyCache } from "../../src/auth/key-cache.ts";
import { displayPrefix, hashApiKey } from "../../src/auth/keys.ts";
import { requireApiKey } from "../../src/auth/middleware.ts";
import { bootstrapAuth, createApiKey, listApiKeys, revokeApiKey } from "../../src/auth/store.ts";
import type { AppEnv } from "../../src/http/env.ts";
import { ApiError } from "../../src/http/errors.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("auth", (db) => {
  const t = useApp(db);

  it("401 JSON without a key, on /api and /v1 alike", async () => {
    for (const path of ["/api/v1/whoami", "/api/v1/anything", "/v1/traces"]) {
      const res = await t.app.request(path);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/json");
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthorized");
    }
  });

  it("401 with an unknown key", async () => {
    const res = await t.request("/api/v1/whoami", { headers: { authorization: "Bearer vgl_not-a-key" } });
    expect(res.status).toBe(401);
  });

  it("200 with the key, scoped to its project", async () => {
    const res = await t.request("/api/v1/whoami");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ project: { id: t.projectId, name: "test" } });
  });

  it("a revoked key gets 401 — though cached — and stays listed as revoked", async () => {
    const created = await createApiKey(db.database.db, "other", { name: "to-revoke" });
    const auth = { authorization: `Bearer ${created.key}` };
    expect((await t.app.request("/api/v1/whoami", { headers: auth })).status).toBe(200);
    expect(await revokeApiKey(db.database.db, created.prefix)).toBe(1);
    // The revocation's NOTIFY clears the app's key cache (30 s TTL): on PGlite before the revoke
    // returns, on the server as soon as the listening connection hears it.
    await expect
      .poll(async () => (await t.app.request("/api/v1/whoami", { headers: auth })).status, { timeout: 3000 })
      .toBe(401);
    expect(await revokeApiKey(db.database.db, created.id)).toBe(0);
    const listed = await listApiKeys(db.database.db, "other");
    expect(listed).toHaveLength(1);
    expect(listed[0]?.revokedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it("a key found active is not looked up again until the cache's TTL passes", async () => {
    const created = await createApiKey(db.database.db, "cached", { name: "cached" });
    const app = new Hono<AppEnv>()
      .use(requireApiKey(db.database, new KeyCache(300)))
      .get("/", (c) => c.json(c.get("project")))
      .onError((error, c) => c.json({}, error instanceof ApiError ? error.status : 500));
    const auth = { headers: { authorization: `Bearer ${created.key}` } };
    expect((await app.request("/", auth)).status).toBe(200);
    // Gone from the database without a revocation (so without NOTIFY): only the cache answers now.
    await db.database.execute("delete from api_keys where id = $1", [created.id]);
    expect(await (await app.request("/", auth)).json()).toMatchObject({ name: "cached" });
    await new Promise((r) => setTimeout(r, 350));
    expect((await app.request("/", auth)).status).toBe(401);
  });

  it("bootstrap adds VIGIL_API_KEY to an existing database, once", async () => {
    const envKey = "vgl_environment-key-0123456789";
    expect(await bootstrapAuth(db.database.db, envKey)).toEqual({});
    await bootstrapAuth(db.database.db, envKey);
    const res = await t.app.request("/api/v1/whoami", { headers: { authorization: `Bearer ${envKey}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { project: { name: string } }).project.name).toBe("default");
    const defaults = await listApiKeys(db.database.db, "default");
    expect(defaults.filter((k) => k.name === "VIGIL_API_KEY")).toHaveLength(1);
  });

  it("a VIGIL_API_KEY stored with its first characters shown is shown by fingerprint after a start", async () => {
    const envKey = "team-chosen-key-0042";
    await bootstrapAuth(db.database.db, envKey);
    // As an earlier Vigil stored it: 10 of its characters in the prefix.
    await db.database.execute("update api_keys set prefix = $1 where hash = $2", [
      envKey.slice(0, 10),
      hashApiKey(envKey),
    ]);
    await bootstrapAuth(db.database.db, envKey);
    const shown = (await listApiKeys(db.database.db, "default")).map((k) => k.prefix);
    expect(shown).not.toContain(envKey.slice(0, 10));
    expect(shown).toContain(displayPrefix(envKey));
  });
});
