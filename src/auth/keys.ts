import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "vgl_";

/** A new API key: `vgl_` + 40 base62-ish characters (about 238 bits). Shown once, stored hashed. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(30).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Length of a key generateApiKey makes. */
const GENERATED_LENGTH = KEY_PREFIX.length + 40;

/**
 * What lists show so a person can tell keys apart without the secret. A generated key shows its
 * marker and 6 of its 40 random characters (36 of ~238 bits). A key a person chose
 * (VIGIL_API_KEY, as short as 16 characters) shows none of its characters: only `~` and 8 hex
 * digits of its hash.
 */
export function displayPrefix(key: string): string {
  if (key.startsWith(KEY_PREFIX) && key.length === GENERATED_LENGTH)
    return key.slice(0, KEY_PREFIX.length + 6);
  return `~${hashApiKey(key).slice(0, 8)}`;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
