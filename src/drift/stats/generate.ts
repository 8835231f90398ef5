/**
 * Deterministic sample generator, implemented bit-for-bit identically in
 * scripts/drift-fixtures.py, so fixtures can describe 100k-value samples by a few numbers.
 * Only integer hashing and + − × ÷ are used (no libm), so both languages produce the same
 * IEEE doubles. Also used by the bench. Not a statistical-quality RNG; it does not need to be.
 */
import { z } from "@hono/zod-openapi";

export const SampleSpecSchema = z.object({
  dist: z.enum(["normal", "uniform", "skew", "int", "bernoulli"]),
  n: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  loc: z.number().default(0),
  scale: z.number().default(1),
  /** Round to multiples of `step` (creates ties). */
  step: z.number().positive().optional(),
});
export type SampleSpec = z.input<typeof SampleSpecSchema>;

/** Chris Wellons' lowbias32 integer hash (a bijection on uint32). */
export function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Counter-based uniform in [0, 1): the j-th draw of stream `seed`. */
export function uniformAt(seed: number, j: number): number {
  const key = lowbias32((seed ^ 0x5bd1e995) >>> 0);
  return lowbias32((lowbias32(j >>> 0) ^ key) >>> 0) / 4294967296;
}

export function generateSample(spec: SampleSpec): Float64Array {
  const { dist, n, seed } = spec;
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (dist === "normal") {
      // Irwin–Hall(12) − 6: mean 0, variance 1, exact in doubles.
      let s = 0;
      for (let r = 0; r < 12; r++) s += uniformAt(seed, 12 * i + r);
      v = loc + scale * (s - 6);
    } else if (dist === "uniform") {
      v = loc + scale * uniformAt(seed, i);
    } else if (dist === "skew") {
      v = loc + scale * (uniformAt(seed, 3 * i) * uniformAt(seed, 3 * i + 1) * uniformAt(seed, 3 * i + 2));
    } else if (dist === "bernoulli") {
      v = loc + (uniformAt(seed, i) < scale ? 1 : 0);
    } else {
      v = loc + Math.floor(uniformAt(seed, i) * scale);
    }
    if (spec.step !== undefined) v = Math.floor(v / spec.step + 0.5) * spec.step;
    out[i] = v;
  }
  return out;
}
