import { terms } from "../tokens.ts";

/**
 * The sparse features the built-in embedder hashes: stemmed words, adjacent word pairs and
 * character n-grams of each word. Words carry the meaning; pairs carry phrases ("error budget",
 * "out of order" → "order timestamp"); character n-grams match across spelling and inflection
 * variants the stemmer misses (crashloop/crashlooping, misscheduled/mis scheduled) and typos.
 */
export interface FeatureOptions {
  /** Character n-gram sizes, taken over `#word#` (boundaries marked). */
  ngrams?: number[];
  /** Relative weight of each kind of feature. */
  weights?: { word: number; pair: number; gram: number };
}

export const defaultFeatureOptions: Required<FeatureOptions> = {
  ngrams: [3, 4],
  weights: { word: 1, pair: 0.5, gram: 0.35 },
};

/** Feature → raw count, with each kind's weight applied (pairs prefixed "w2:", n-grams "c:"). */
export function extractFeatures(text: string, options: FeatureOptions = {}): Map<string, number> {
  const { ngrams, weights } = { ...defaultFeatureOptions, ...options };
  const out = new Map<string, number>();
  const add = (f: string, w: number) => out.set(f, (out.get(f) ?? 0) + w);
  const ts = terms(text);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    add(t, weights.word);
    if (i + 1 < ts.length) add(`w2:${t}_${ts[i + 1]}`, weights.pair);
    if (weights.gram > 0) {
      const padded = `#${t}#`;
      // Per word, n-gram weight is spread so a long word does not outweigh its own word feature.
      const grams: string[] = [];
      for (const n of ngrams) for (let j = 0; j + n <= padded.length; j++) grams.push(padded.slice(j, j + n));
      const w = weights.gram / Math.sqrt(Math.max(1, grams.length));
      for (const g of grams) add(`c:${g}`, w);
    }
  }
  return out;
}
