import { describe, expect, it } from "vitest";
import { bearerToken, displayPrefix, generateApiKey, hashApiKey } from "../../src/auth/keys.ts";

describe("api keys", () => {
  it("generates distinct, prefixed keys", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^vgl_[A-Za-z0-9_-]{40}$/);
  });

  it("hashes deterministically without keeping the key", () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toContain(key.slice(4, 12));
  });

  it("shows only a short prefix", () => {
    expect(displayPrefix(`vgl_abcdef${"x".repeat(34)}`)).toBe("vgl_abcdef");
  });

  it("shows none of the characters of a key a person chose", () => {
    const chosen = "my-team-key-2026";
    const shown = displayPrefix(chosen);
    expect(shown).toMatch(/^~[0-9a-f]{8}$/);
    for (let i = 0; i + 3 <= chosen.length; i++) expect(shown).not.toContain(chosen.slice(i, i + 3));
    expect(displayPrefix(`vgl_${"y".repeat(12)}`)).toMatch(/^~/); // vgl_-looking, but not generated
  });

  it("reads bearer tokens", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
