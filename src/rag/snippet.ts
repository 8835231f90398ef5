import { stem, words } from "./tokens.ts";

/**
 * A highlighted passage computed with the embedder's own tokenisation — the fallback when
 * Postgres' ts_headline marks nothing (its parser keeps identifiers such as
 * PersistentVolumeClaim whole, so a match found by word parts is not highlighted there).
 * Picks the window of `size` words with the most query words and wraps them in <mark>.
 */
export function highlight(content: string, queryTerms: Set<string>, size = 30): string {
  const tokens = content.replace(/\s+/g, " ").trim().split(" ");
  if (!tokens.length || !tokens[0]) return "";
  const hit = tokens.map((tok) => words(tok).some((w) => queryTerms.has(stem(w))));
  let best = 0;
  let bestAt = 0;
  let cur = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (hit[i]) cur++;
    if (i >= size && hit[i - size]) cur--;
    if (cur > best) {
      best = cur;
      bestAt = Math.max(0, i - size + 1);
    }
  }
  const end = Math.min(tokens.length, bestAt + size);
  const out = tokens.slice(bestAt, end).map((tok, j) => (hit[bestAt + j] ? `<mark>${tok}</mark>` : tok));
  return `${bestAt > 0 ? "… " : ""}${out.join(" ")}${end < tokens.length ? " …" : ""}`;
}
