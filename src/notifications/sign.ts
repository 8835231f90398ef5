import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Generic webhook signatures. Vigil sends
 *   X-Vigil-Timestamp: <unix seconds>
 *   X-Vigil-Signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>
 * A receiver recomputes the HMAC over the raw body bytes, compares in constant time and rejects
 * timestamps older than a few minutes (replay protection). See README "Notifications".
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function verifySignature(
  secret: string,
  input: { signature: string | null | undefined; timestamp: string | null | undefined; body: string },
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { signature, timestamp, body } = input;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signBody(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A new channel secret: 32 random bytes, prefixed so it is recognisable in config files. */
export const newSecret = () => `vsec_${randomBytes(32).toString("base64url")}`;
