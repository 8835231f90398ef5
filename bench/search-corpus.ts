import { readFileSync } from "node:fs";
import type { Database } from "../src/db/client.ts";
import { readRunbookDir } from "../src/rag/runbooks.ts";

/**
 * bench:search's corpus: the 108 fixture runbooks, replicated with variations (each copy gets its
 * own path, a cluster/team tag in the title and a few words drawn from the corpus mixed into each
 * section), and the dev alerts as queries.
 */
const datasets = new URL("../test/rag/fixtures/", import.meta.url).pathname;
export const runbooks = await readRunbookDir(`${datasets}runbooks`);
export const devQueries = readFileSync(`${datasets}runbook-queries.dev.jsonl`, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { query: string; relevant: string });

// Deterministic PRNG (mulberry32) so every run indexes the same corpus.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const vocab = [...new Set(runbooks.flatMap((r) => r.content.match(/[A-Za-z]{4,}/g) ?? []))];
const pick = () => vocab[Math.floor(rand() * vocab.length)]!;
const teams = ["payments", "search", "ml-platform", "ads", "checkout", "identity", "data", "edge"];

/** Copy r of a runbook: new path, a tagged title, corpus words mixed into each paragraph. */
export function variant(rb: { path: string; content: string }, r: number) {
  const team = teams[r % teams.length]!;
  const content = rb.content
    .replace(/^title: (.*)$/m, `title: $1 (${team} cluster ${r})`)
    .replace(/\n\n(?=[A-Za-z])/g, () => `\n\n${Array.from({ length: 6 }, pick).join(" ")}. `);
  return { path: `copies/${r}/${rb.path}`, content };
}

/**
 * The bench's `n` queries, after the corpus is indexed (statistics refreshed first): the dev alerts,
 * then the first 25 words of sections drawn at random (the same ones for the same corpus).
 */
export async function sampleQueries(database: Database, n: number): Promise<string[]> {
  await database.execute("analyze chunks");
  await database.execute("analyze chunk_embeddings");
  const sample = await database.execute<{ content: string }>(
    `select content from chunks order by md5(id::text) limit ${Math.max(0, n - devQueries.length)}`,
  );
  return [
    ...devQueries.map((d) => d.query),
    ...sample.map((s) => s.content.split(/\s+/).slice(0, 25).join(" ")),
  ].slice(0, n);
}
