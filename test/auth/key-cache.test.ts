import { describe, expect, it } from "vitest";
import { KeyCache } from "../../src/auth/key-cache.ts";

const key = (n: number) => ({ keyId: `k${n}`, projectId: `p${n}`, projectName: `project ${n}` });

describe("KeyCache", () => {
  it("keeps a key until its TTL passes", () => {
    let now = 1000;
    const cache = new KeyCache(100, 10, () => now);
    cache.set("a", key(1), cache.generation);
    now += 99;
    expect(cache.get("a")).toEqual(key(1));
    now += 1;
    expect(cache.get("a")).toBeUndefined();
  });

  it("clear() forgets everything, and a lookup begun before it caches nothing", () => {
    const cache = new KeyCache();
    cache.set("a", key(1), cache.generation);
    const before = cache.generation;
    cache.clear();
    expect(cache.get("a")).toBeUndefined();
    cache.set("b", key(2), before); // found by a query that started before the revocation
    expect(cache.get("b")).toBeUndefined();
    cache.set("b", key(2), cache.generation);
    expect(cache.get("b")).toEqual(key(2));
  });

  it("past maxEntries the oldest entry makes room", () => {
    const cache = new KeyCache(1000, 2);
    for (const n of [1, 2, 3]) cache.set(`k${n}`, key(n), cache.generation);
    expect(cache.get("k1")).toBeUndefined();
    expect(cache.get("k2")).toEqual(key(2));
    expect(cache.get("k3")).toEqual(key(3));
  });
});
