import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { apiKeys, projects } from "../db/schema/index.ts";
import { displayPrefix, generateApiKey, hashApiKey } from "./keys.ts";
import { KEYS_REVOKED } from "./revocations.ts";

export interface AuthenticatedKey {
  keyId: string;
  projectId: string;
  projectName: string;
}

/** The active key whose hash (hashApiKey) this is, with its project. */
export async function findActiveKey(db: Db, hash: string): Promise<AuthenticatedKey | undefined> {
  const [row] = await db
    .select({ keyId: apiKeys.id, projectId: projects.id, projectName: projects.name })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

export async function ensureProject(db: Db, name: string): Promise<{ id: string; name: string }> {
  await db.insert(projects).values({ name }).onConflictDoNothing({ target: projects.name });
  const [row] = await db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(eq(projects.name, name));
  return row!;
}

/** Stores a key (given, or generated) for a project; returns the plain key, which is never stored. */
export async function createApiKey(
  db: Db,
  projectName: string,
  options: { key?: string; name?: string } = {},
): Promise<{ id: string; key: string; prefix: string; projectId: string }> {
  const project = await ensureProject(db, projectName);
  const key = options.key ?? generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      projectId: project.id,
      name: options.name ?? "default",
      prefix: displayPrefix(key),
      hash: hashApiKey(key),
    })
    .returning({ id: apiKeys.id, prefix: apiKeys.prefix });
  return { id: row!.id, key, prefix: row!.prefix, projectId: project.id };
}

export async function listApiKeys(db: Db, projectName?: string) {
  return db
    .select({
      id: apiKeys.id,
      project: projects.name,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(projectName ? eq(projects.name, projectName) : undefined)
    .orderBy(asc(projects.name), asc(apiKeys.createdAt));
}

/**
 * Revokes by id or by display prefix; returns how many keys were revoked. Running services are
 * told in the same transaction (NOTIFY on commit), so their key caches forget at once.
 */
export async function revokeApiKey(db: Db, idOrPrefix: string): Promise<number> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(isUuid ? eq(apiKeys.id, idOrPrefix) : eq(apiKeys.prefix, idOrPrefix), isNull(apiKeys.revokedAt)),
      )
      .returning({ id: apiKeys.id });
    if (rows.length) await tx.execute(sql`select pg_notify(${KEYS_REVOKED}, '')`);
    return rows.length;
  });
}

/**
 * First start: an empty database gets project `default` and a key (VIGIL_API_KEY, or a generated one
 * that is returned so the caller can print it once). A VIGIL_API_KEY that is not stored yet is added,
 * so the key in the environment always works.
 */
export async function bootstrapAuth(db: Db, envKey?: string): Promise<{ createdKey?: string }> {
  const [any] = await db.select({ id: projects.id }).from(projects).limit(1);
  if (!any) {
    const { key } = await createApiKey(db, "default", {
      key: envKey,
      name: envKey ? "VIGIL_API_KEY" : "default",
    });
    return { createdKey: envKey ? undefined : key };
  }
  if (envKey) {
    const [stored] = await db
      .select({ id: apiKeys.id, prefix: apiKeys.prefix })
      .from(apiKeys)
      .where(eq(apiKeys.hash, hashApiKey(envKey)));
    if (!stored) await createApiKey(db, "default", { key: envKey, name: "VIGIL_API_KEY" });
    // Stored by an earlier Vigil with 10 of its characters shown: show none of them now.
    else if (stored.prefix !== displayPrefix(envKey))
      await db
        .update(apiKeys)
        .set({ prefix: displayPrefix(envKey) })
        .where(eq(apiKeys.id, stored.id));
  }
  return {};
}
