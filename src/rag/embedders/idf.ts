/**
 * Document frequencies of features over a project's documents, and the IDF they give.
 * Smoothed (BM25-style, never negative) so a feature seen nowhere gets the highest weight and one
 * seen everywhere still counts a little.
 */
export interface DfStats {
  /** Documents counted. */
  n: number;
  df(feature: string): number;
}

export function idf(stats: DfStats, feature: string): number {
  const df = stats.df(feature);
  return Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
}

/** In-memory document frequencies: for tests, the evaluation and the benchmark. */
export class MemoryDf implements DfStats {
  n = 0;
  readonly counts = new Map<string, number>();
  add(features: Iterable<string>, sign: 1 | -1 = 1): void {
    this.n += sign;
    for (const f of new Set(features)) {
      const c = (this.counts.get(f) ?? 0) + sign;
      if (c > 0) this.counts.set(f, c);
      else this.counts.delete(f);
    }
  }
  df(feature: string): number {
    return this.counts.get(feature) ?? 0;
  }
}
