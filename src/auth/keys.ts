import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "vgl_";

/** A new API key: `vgl_` + 40 base62-ish characters (about 238 bits). Shown once, stored hashed. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(30).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** What lists show so a person can tell keys apart without the secret. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
