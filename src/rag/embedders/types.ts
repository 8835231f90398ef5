/** Turns texts into vectors. `id` names the vector space: vectors of different ids never meet. */
export interface Embedder {
  /** Stored with every vector, e.g. "builtin-hash-v1" or "openai:nomic-embed-text". */
  readonly id: string;
  /** Vector dimension; for remote embedders known after the first call (`dimensions()`). */
  dimensions(): Promise<number>;
  /** Documents and queries may be embedded differently (e.g. instruction prefixes). */
  embed(texts: string[], purpose: "document" | "query"): Promise<number[][]>;
}
