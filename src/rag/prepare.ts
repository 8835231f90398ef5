import { splitIdentifiers } from "./tokens.ts";

/**
 * What each leg indexes for a chunk. The document title and heading path count for retrieval in
 * both legs (a section called "Diagnosis" of KubePodCrashLooping is about crash-looping pods), and
 * identifiers are also written as words, since Postgres' parser keeps "KubePodCrashLooping" whole.
 */
export interface ChunkTexts {
  /** Full-text weight A. */
  title: string;
  /** Full-text weight B. */
  headings: string;
  /** Full-text weight D. */
  body: string;
  /** What the embedder sees. */
  embedding: string;
}

/** "KubePodCrashLooping" → "KubePodCrashLooping Kube Pod Crash Looping" (original kept for exact search). */
export function withSplitIdentifiers(text: string): string {
  const split = splitIdentifiers(text);
  return split === text ? text : `${text} ${split}`;
}

export function chunkTexts(title: string, headingPath: string[], content: string): ChunkTexts {
  // The H1 of a runbook usually repeats the title: keep the headings below it only once.
  const headings = headingPath.filter((h, i) => !(i === 0 && sameWords(h, title)));
  return {
    title: withSplitIdentifiers(title),
    headings: headings.map(withSplitIdentifiers).join("\n"),
    body: withSplitIdentifiers(content),
    // The embedder sees the title and the full heading path (H1 included): for a runbook the
    // alert name is the strongest clue, and repeating it gives it the weight of a title.
    embedding: [splitIdentifiers(title), ...headingPath.map(splitIdentifiers), content].join("\n"),
  };
}

function sameWords(a: string, b: string): boolean {
  const norm = (s: string) =>
    splitIdentifiers(s)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "");
  return norm(a) === norm(b);
}

/** The query as the full-text leg sees it. */
export function queryText(query: string): string {
  return withSplitIdentifiers(query);
}
