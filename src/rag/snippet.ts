import { escapeToBuffer } from "hono/utils/html";
import { stem, words } from "./tokens.ts";

/**
 * Snippets are HTML: the document's text escaped, plus Vigil's own `<mark>…</mark>` around matched
 * words — so a runbook containing `<script>` shows as text in any UI that renders snippets. The
 * highlighter (ts_headline or `highlight` below) marks matches with two private-use characters
 * first, stripped from the text beforehand, and only they become tags after escaping.
 */
export const MARK_START = "\uE000";
export const MARK_END = "\uE001";

export function escapeHtml(text: string): string {
  const buffer = [""];
  escapeToBuffer(text, buffer);
  return buffer[0]!;
}

/** Removes the marker characters from document text before it is highlighted. */
export const stripMarkers = (text: string) => text.replace(/[\uE000\uE001]/g, "");

/** Text highlighted with the marker characters → escaped HTML with <mark> tags. */
export function markedToHtml(marked: string): string {
  return escapeHtml(marked).replaceAll(MARK_START, "<mark>").replaceAll(MARK_END, "</mark>");
}

/** A snippet for a terminal: matches between `*`, entities decoded. */
export function snippetToText(html: string): string {
  return html
    .replace(/<\/?mark>/g, "*")
    .replace(/&(#39|quot|lt|gt|amp);/g, (_, e: string) =>
      e === "#39" ? "'" : e === "quot" ? '"' : e === "lt" ? "<" : e === "gt" ? ">" : "&",
    );
}

/**
 * A highlighted passage computed with the embedder's own tokenisation — the fallback when
 * Postgres' ts_headline marks nothing (its parser keeps identifiers such as
 * PersistentVolumeClaim whole, so a match found by word parts is not highlighted there).
 * Picks the window of `size` words with the most query words and wraps them in <mark>; HTML-safe.
 */
export function highlight(content: string, queryTerms: Set<string>, size = 30): string {
  const tokens = stripMarkers(content).replace(/\s+/g, " ").trim().split(" ");
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
  const out = tokens
    .slice(bestAt, end)
    .map((tok, j) => (hit[bestAt + j] ? `${MARK_START}${tok}${MARK_END}` : tok));
  return markedToHtml(`${bestAt > 0 ? "… " : ""}${out.join(" ")}${end < tokens.length ? " …" : ""}`);
}
