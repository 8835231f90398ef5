/**
 * Seeded synthetic prediction logs for the monitor tests and the bench: a churn-like model with
 * numerical, categorical, boolean and vector features, a score output and a 0/1 label. `shift`
 * moves `age` and adds a new `plan` category, nothing else.
 */

/** mulberry32: a small seeded uniform RNG (reproducible test data, not statistics-grade). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(r: () => number): number {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export interface SyntheticOptions {
  seed: number;
  shift?: boolean;
  /** Extra numerical features f0..f(n-1), for wide benches. */
  extraNumeric?: number;
  embeddingDim?: number;
}

export function syntheticRow(r: () => number, o: SyntheticOptions) {
  const age = 40 + 10 * normal(r) + (o.shift ? 15 : 0);
  const u = r();
  const plan = o.shift && u < 0.25 ? "enterprise" : u < 0.5 ? "free" : u < 0.8 ? "pro" : "team";
  const features: Record<string, number | string | boolean | number[]> = {
    age: Math.round(age * 10) / 10,
    income: Math.round(Math.exp(10 + 0.5 * normal(r))),
    plan,
    active: r() < 0.7,
    sessions: Math.floor(r() * 60),
  };
  for (let i = 0; i < (o.extraNumeric ?? 0); i++) features[`f${i}`] = normal(r) * (i + 1);
  if (o.embeddingDim)
    features.emb = Array.from({ length: o.embeddingDim }, () => Math.round(normal(r) * 1000) / 1000);
  const score = 1 / (1 + Math.exp(-((features.age as number) - 40) / 10));
  const label = r() < score ? 1 : 0;
  return { features, output: Math.round(score * 1000) / 1000, label };
}
