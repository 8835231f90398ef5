import type { AuthenticatedKey } from "./store.ts";

/**
 * Keys found active, by hash, for `ttlMs`: without it every authenticated request — each OTLP
 * export among them — waits for a database round trip before its own work. Only hits are kept, so
 * a new key works at once. A revocation clears the cache of every process that listens
 * (src/auth/revocations.ts); the TTL bounds how long a revoked key keeps working where that
 * notification cannot arrive (a connection pooler without LISTEN).
 */
export class KeyCache {
  private readonly entries = new Map<string, { key: AuthenticatedKey; expires: number }>();
  /** Bumped by clear(): a lookup that began before a revocation must not cache what it found. */
  private clears = 0;

  constructor(
    readonly ttlMs = 30_000,
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): AuthenticatedKey | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expires > this.now()) return entry.key;
    this.entries.delete(hash);
    return undefined;
  }

  /** Marks the start of a lookup; pass it to set() with what the lookup found. */
  get generation(): number {
    return this.clears;
  }

  set(hash: string, key: AuthenticatedKey, generation: number): void {
    if (generation !== this.clears) return;
    this.entries.delete(hash);
    // Insertion order is age order: the oldest entry makes room.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { key, expires: this.now() + this.ttlMs });
  }

  clear(): void {
    this.clears++;
    this.entries.clear();
  }
}
