/**
 * What the GitHub capability keeps secret at rest or hands to a browser: the App credentials of the
 * manifest flow, sealed with AES-256-GCM; the install flow's `state`, a short-lived HS256 JWT that
 * names the project. Keys are derived (HKDF) from one secret, a separate key per purpose.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { sign, verify } from "hono/jwt";
import { z } from "zod";
import { DomainError } from "../lib/errors.ts";

const deriveKey = (secret: string, purpose: string) =>
  Buffer.from(hkdfSync("sha256", secret, "vigil", `vigil ${purpose}`, 32));

export const SealedSecretsSchema = z.object({
  pem: z.string().min(1),
  webhookSecret: z.string().min(1),
  clientSecret: z.string().optional(),
});
export type AppSecrets = z.infer<typeof SealedSecretsSchema>;

/** `v1.<iv>.<tag>.<ciphertext>`, base64url: authenticated, so a wrong key or a changed row fails to open. */
export function sealSecrets(secrets: AppSecrets, secretKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(secretKey, "github app credentials"), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function openSecrets(sealed: string, secretKey: string): AppSecrets {
  const [version, iv, tag, data] = sealed.split(".");
  try {
    if (version !== "v1" || !iv || !tag || !data) throw new Error("unknown format");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      deriveKey(secretKey, "github app credentials"),
      Buffer.from(iv, "base64url"),
    );
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const text = Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]);
    return SealedSecretsSchema.parse(JSON.parse(text.toString("utf8")));
  } catch {
    throw new DomainError(
      "unavailable",
      "github_credentials_sealed",
      "The stored GitHub App credentials cannot be opened with this VIGIL_SECRET_KEY (it is not the key they were sealed with)",
    );
  }
}

/** How long an install link stays good: enough to pick repositories on GitHub. */
export const INSTALL_STATE_SECONDS = 3600;

const StateSchema = z.object({ sub: z.string(), purpose: z.literal("github-install"), exp: z.number() });

/** The `state` of an install link: names the project the installation will be linked to. */
export async function installState(
  projectId: string,
  secret: string,
  now = Date.now(),
): Promise<{ state: string; expiresAt: Date }> {
  const exp = Math.floor(now / 1000) + INSTALL_STATE_SECONDS;
  const state = await sign(
    { sub: projectId, purpose: "github-install", exp },
    deriveKey(secret, "github install state").toString("base64url"),
    "HS256",
  );
  return { state, expiresAt: new Date(exp * 1000) };
}

/** The project an install `state` names; an invalid-input DomainError when forged, altered or expired. */
export async function projectOfState(state: string, secret: string): Promise<string> {
  try {
    const payload = await verify(
      state,
      deriveKey(secret, "github install state").toString("base64url"),
      "HS256",
    );
    return StateSchema.parse(payload).sub;
  } catch {
    throw new DomainError(
      "invalid",
      "invalid_state",
      "The install link's state is invalid or expired: start again from GET /api/v1/github/install",
    );
  }
}
