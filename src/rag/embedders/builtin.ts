import { defaultFeatureOptions, extractFeatures, type FeatureOptions } from "./features.ts";
import { hashFeatures } from "./hashing.ts";
import type { Embedder } from "./types.ts";

export const BUILTIN_EMBEDDER_ID = "builtin-hash-v1";
export const BUILTIN_DIMENSIONS = 512;

/**
 * The default embedder: hashed, sublinear-TF-weighted words, word pairs and character n-grams
 * (see src/rag/README.md for the design and its trade-offs). No model, no network, deterministic:
 * a text always gets the same vector, whatever else is in the corpus, so adding documents never
 * forces a re-embed.
 */
export function builtinVector(
  text: string,
  dims = BUILTIN_DIMENSIONS,
  options: FeatureOptions = defaultFeatureOptions,
): Float32Array {
  const weighted: [string, number][] = [];
  for (const [f, c] of extractFeatures(text, options)) weighted.push([f, c >= 1 ? 1 + Math.log(c) : c]);
  return hashFeatures(weighted, dims);
}

export class BuiltinEmbedder implements Embedder {
  readonly id = BUILTIN_EMBEDDER_ID;
  async dimensions() {
    return BUILTIN_DIMENSIONS;
  }
  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => Array.from(builtinVector(t)));
  }
}
