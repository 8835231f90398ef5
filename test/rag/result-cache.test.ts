import { describe, expect, it } from "vitest";
import { ResultCache } from "../../src/rag/result-cache.ts";

describe("ResultCache", () => {
  it("keeps an entry for its TTL, then forgets it", () => {
    let now = 1000;
    const cache = new ResultCache<string>(10, 500, () => now);
    cache.set("a", "A");
    now += 499;
    expect(cache.get("a")).toBe("A");
    now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("evicts the least recently used beyond its size; setting a key again replaces it", () => {
    const cache = new ResultCache<number>(2, 60_000);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // b is now the least recently used
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c")]).toEqual([1, 3]);
    cache.set("a", 4);
    expect(cache.get("a")).toBe(4);
    expect(cache.size).toBe(2);
  });
});
