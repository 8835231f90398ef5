import { stemmer } from "stemmer";

/**
 * Tokenisation shared by the built-in embedder and the extractive answerer. Alert text is full of
 * identifiers (KubePodCrashLooping, kube-state-metrics, node_filesystem_avail_bytes): they are split
 * into their words so "crash looping" matches "CrashLooping", and the parts are stemmed (Porter).
 */

// Small English stop list: function words that carry no retrieval signal.
const STOP = new Set(
  (
    "a an and are as at be been being but by can could did do does doing for from had has have having " +
    "he her here hers him his how i if in into is it its itself just me more most my no nor not of off " +
    "on once only or other our out over own same she should so some such than that the their them then " +
    "there these they this those through to too under until up very was we were what when where which " +
    "while who whom why will with would you your yours also may might must shall via per e g eg ie etc"
  ).split(" "),
);

/** Splits camelCase / PascalCase / acronyms: "KubeAPIErrorBudgetBurn" → "Kube API Error Budget Burn". */
export function splitIdentifiers(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
}

/** Lower-case word tokens of letters/digits; identifiers are split; pure numbers and stop words dropped. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of splitIdentifiers(text)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)) {
    if (!raw || raw.length > 40 || STOP.has(raw) || /^\d+$/.test(raw)) continue;
    if (raw.length === 1) continue;
    out.push(raw);
  }
  return out;
}

const stemCache = new Map<string, string>();
/** Porter stem, memoised (the vocabulary of a corpus is small; this is a hot path). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = /^[a-z]+$/.test(word) ? stemmer(word) : word;
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/** Stemmed word tokens. */
export function terms(text: string): string[] {
  return words(text).map(stem);
}
