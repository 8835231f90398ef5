/**
 * Reciprocal rank fusion (Cormack et al., 2009): score = Σ_leg weight / (k + rank), rank from 1.
 * Rank-based, so the legs' incomparable scores (cosine vs ts_rank) need no calibration.
 */
export interface LegHit {
  chunkId: number;
  documentId: string;
  score: number;
}

export interface FusionOptions {
  k?: number;
  weights?: { vector: number; text: number };
  /** Several chunks of one document in the results (default: only the document's best chunk). */
  perDocument?: boolean;
}

export const DEFAULT_RRF_K = 60;
// The vector leg (words + pairs + n-grams) is the stronger one on alert text; the text leg still
// breaks its ties and rescues exact identifiers. Measured in bench/eval-rag.ts (see src/rag/README.md).
export const DEFAULT_WEIGHTS = { vector: 1, text: 0.7 };

export interface Fused {
  chunkId: number;
  documentId: string;
  score: number;
  legs: { vector: LegScore | null; text: LegScore | null };
}
export interface LegScore {
  rank: number;
  score: number;
}

/**
 * Fuses two ranked lists. Without perDocument, legs are first collapsed to documents (a document's
 * rank in a leg is the rank of its best chunk there) and fused per document, so a runbook with
 * many matching sections does not crowd out the others; the chunk shown is the document's best
 * fused chunk.
 */
export function fuse(vector: LegHit[], text: LegHit[], options: FusionOptions = {}): Fused[] {
  const k = options.k ?? DEFAULT_RRF_K;
  const w = options.weights ?? DEFAULT_WEIGHTS;
  const byChunk = new Map<number, Fused>();
  const entry = (h: LegHit) => {
    let e = byChunk.get(h.chunkId);
    if (!e) {
      e = { chunkId: h.chunkId, documentId: h.documentId, score: 0, legs: { vector: null, text: null } };
      byChunk.set(h.chunkId, e);
    }
    return e;
  };
  vector.forEach((h, i) => {
    const e = entry(h);
    e.legs.vector = { rank: i + 1, score: h.score };
    e.score += w.vector / (k + i + 1);
  });
  text.forEach((h, i) => {
    const e = entry(h);
    e.legs.text = { rank: i + 1, score: h.score };
    e.score += w.text / (k + i + 1);
  });
  const chunksRanked = [...byChunk.values()].sort(byScore);
  if (options.perDocument) return chunksRanked;

  const docRank = (hits: LegHit[]) => {
    const ranks = new Map<string, number>();
    for (const h of hits) if (!ranks.has(h.documentId)) ranks.set(h.documentId, ranks.size + 1);
    return ranks;
  };
  const vr = docRank(vector);
  const tr = docRank(text);
  const best = new Map<string, Fused>();
  for (const c of chunksRanked) if (!best.has(c.documentId)) best.set(c.documentId, c);
  const docs: Fused[] = [];
  for (const [documentId, c] of best) {
    const v = vr.get(documentId);
    const t = tr.get(documentId);
    const score = (v ? w.vector / (k + v) : 0) + (t ? w.text / (k + t) : 0);
    docs.push({ ...c, score });
  }
  return docs.sort(byScore);
}

function byScore(a: Fused, b: Fused): number {
  return b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1);
}
