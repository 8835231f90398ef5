import type { Citation, SearchResult } from "./model.ts";
import { terms } from "./tokens.ts";

/** What ask() says when retrieval found nothing relevant; the LLM is told to say the same. */
export const NOT_FOUND = "Not found in the runbooks.";

/**
 * Whether a result is relevant enough to answer from: some (not very common) query word matched in
 * full text, or — for a semantic embedder — the vectors are clearly close. The built-in embedder
 * is lexical and its hashed vectors give chance similarities of 0.2–0.3 for short nonsense queries,
 * so for it only a text match counts (pass minCosine = Infinity).
 */
export function isRelevant(r: SearchResult, minCosine = 0.5): boolean {
  return r.legs.text !== null || (r.legs.vector?.score ?? 0) >= minCosine;
}

/** Numbered sources, in the order given (n from 1). */
export function citationsFor(results: SearchResult[]): Citation[] {
  return results.map((r, i) => ({
    n: i + 1,
    path: r.path,
    title: r.title,
    heading: r.heading,
    kind: r.kind,
  }));
}

export function splitSentences(text: string): string[] {
  return text
    .replace(/```[\s\S]*?```/g, " ") // code is cited as a source, not quoted as a sentence
    .split(/\n\s*\n|(?<=[.!?])\s+(?=[A-Z`*\-[(])|\n(?=\s*[-*]\s)|\n(?=#)/)
    .map((s) =>
      s
        .replace(/^\s*[-*]\s+/, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((s) => s.length >= 20 && /[a-z]/i.test(s) && !/^#/.test(s));
}

/**
 * Extractive answer, no LLM: the sentences of the retrieved chunks that share the most (rarer)
 * words with the question, favouring better-ranked sources, each followed by its citation [n].
 */
export function extractiveAnswer(
  question: string,
  sources: { n: number; content: string }[],
  maxSentences = 3,
): { answer: string; used: number[] } {
  const q = new Set(terms(question));
  if (!q.size || !sources.length) return { answer: NOT_FOUND, used: [] };
  const scored: { s: string; n: number; score: number; pos: number }[] = [];
  for (const src of sources) {
    splitSentences(src.content).forEach((s, pos) => {
      const ts = new Set(terms(s));
      let overlap = 0;
      for (const t of ts) if (q.has(t)) overlap++;
      if (!overlap) return;
      // Overlap normalised by sentence length (long lists should not win by size), rank prior 1/n.
      const score = overlap / Math.sqrt(ts.size + 1) + 1 / (src.n + 1) + (pos === 0 ? 0.05 : 0);
      scored.push({ s, n: src.n, score, pos });
    });
  }
  if (!scored.length) return { answer: NOT_FOUND, used: [] };
  scored.sort((a, b) => b.score - a.score);
  const picked: typeof scored = [];
  const seen = new Set<string>();
  for (const c of scored) {
    if (picked.length >= maxSentences) break;
    const key = c.s.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(c);
  }
  // Present in source order, then position, so the answer reads like the runbook.
  picked.sort((a, b) => a.n - b.n || a.pos - b.pos);
  const answer = picked.map((p) => `${/[.!?]$/.test(p.s) ? p.s : `${p.s}.`} [${p.n}]`).join(" ");
  return { answer, used: [...new Set(picked.map((p) => p.n))] };
}

/** The system and user messages for generation: answer only from the numbered sources, cite [n]. */
export function groundedPrompt(
  question: string,
  sources: { n: number; title: string; heading: string; content: string }[],
) {
  const system =
    "You answer questions for an on-call engineer using ONLY the numbered sources provided. " +
    "Cite every statement with the source number in square brackets, like [1] or [2][3]. " +
    `If the sources do not contain the answer, reply exactly: "${NOT_FOUND}" Be concise and practical.`;
  const context = sources
    .map((s) => `[${s.n}] ${s.title} — ${s.heading}\n${s.content.slice(0, 4000)}`)
    .join("\n\n---\n\n");
  return [
    { role: "system" as const, content: system },
    { role: "user" as const, content: `Sources:\n\n${context}\n\nQuestion: ${question}` },
  ];
}
