import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../../src/notifications/sign.ts";

describe("signatures", () => {
  const secret = "vsec_test_secret_0123456789";
  it('is HMAC-SHA256 over timestamp + "." + body, verifiable with plain node:crypto', () => {
    const body = '{"a":1}';
    const sig = signBody(secret, 1700000000, body);
    const independent = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(sig).toBe(`v1=${independent}`);
    expect(
      verifySignature(secret, { signature: sig, timestamp: "1700000000", body }, { now: 1700000100 }),
    ).toBe(true);
  });
  it("rejects a changed body, another secret, an old timestamp and missing headers", () => {
    const body = '{"a":1}';
    const sig = signBody(secret, 1700000000, body);
    const now = { now: 1700000000 };
    expect(verifySignature(secret, { signature: sig, timestamp: "1700000000", body: '{"a":2}' }, now)).toBe(
      false,
    );
    expect(
      verifySignature("other-secret-xxxxxxxx", { signature: sig, timestamp: "1700000000", body }, now),
    ).toBe(false);
    expect(
      verifySignature(secret, { signature: sig, timestamp: "1700000000", body }, { now: 1700000301 }),
    ).toBe(false);
    expect(verifySignature(secret, { signature: null, timestamp: "1700000000", body }, now)).toBe(false);
    expect(verifySignature(secret, { signature: sig, timestamp: "abc", body }, now)).toBe(false);
  });
});
