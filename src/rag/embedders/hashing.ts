/**
 * Feature hashing ("the hashing trick"): sparse features → a fixed-size dense vector without a
 * vocabulary. Each feature lands in one bucket with a ±1 sign from a second hash, so collisions
 * cancel out on average instead of piling up. Deterministic across processes and machines.
 */

/** 32-bit FNV-1a over UTF-16 code units, with a seed. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (from murmur3's fmix32): FNV's low bits are weak for `mod d`.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Weighted features → L2-normalised vector of `dims` (all zeros stays zeros). */
export function hashFeatures(features: Iterable<[string, number]>, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (const [f, w] of features) {
    if (!w) continue;
    const h = fnv1a(f);
    const sign = fnv1a(f, 0x9747b28c) & 1 ? 1 : -1;
    v[h % dims]! += sign * w;
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += v[i]! * v[i]!;
  if (norm > 0) {
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < dims; i++) v[i]! *= s;
  }
  return v;
}
