/** What a check run shows on GitHub, and the Markdown helpers both checks write it with (pure). */

export const CHECK_NAMES = { schema: "Vigil / schema", contracts: "Vigil / contracts" } as const;
export type CheckKind = keyof typeof CHECK_NAMES;

export type Conclusion = "success" | "failure" | "neutral";

/** GitHub's annotation object (POST/PATCH /repos/{owner}/{repo}/check-runs). */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckOutput {
  conclusion: Conclusion;
  title: string;
  summary: string;
  annotations: Annotation[];
}

/** GitHub's limit on a check run's summary (characters). */
export const MAX_SUMMARY = 65_535;
/** Annotations sent at most per check run (GitHub takes 50 per request, the rest in updates). */
export const MAX_ANNOTATIONS = 1000;

/** A table cell: one line, pipes escaped. */
export const cell = (s: string) => s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");

/** Inline code that survives backticks inside. */
export const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export const percent = (share: number) => {
  const p = share * 100;
  return `${p === 0 || p >= 10 ? p.toFixed(1) : p < 0.01 ? "<0.01" : p.toFixed(2)}%`;
};

/** Joins sections into a summary GitHub accepts: cut at a line, saying so, past the limit. */
export function fitSummary(sections: string[]): string {
  const text = sections.filter((s) => s !== "").join("\n\n");
  if (text.length <= MAX_SUMMARY) return text;
  const note =
    "\n\n_… cut here: the summary is longer than GitHub shows; the annotations list every change._";
  const cut = text.lastIndexOf("\n", MAX_SUMMARY - note.length);
  return text.slice(0, cut > 0 ? cut : MAX_SUMMARY - note.length) + note;
}

/** The annotations GitHub will get, and a note when some were left out. */
export function capAnnotations(annotations: Annotation[]): { annotations: Annotation[]; note: string } {
  if (annotations.length <= MAX_ANNOTATIONS) return { annotations, note: "" };
  return {
    annotations: annotations.slice(0, MAX_ANNOTATIONS),
    note: `_${MAX_ANNOTATIONS} of ${annotations.length} annotations are shown (failures first)._`,
  };
}

/** Failures before warnings before notices, each in file order. */
export function sortAnnotations(annotations: Annotation[]): Annotation[] {
  const rank = { failure: 0, warning: 1, notice: 2 } as const;
  return [...annotations].sort(
    (a, b) =>
      rank[a.annotation_level] - rank[b.annotation_level] ||
      a.path.localeCompare(b.path) ||
      a.start_line - b.start_line,
  );
}
