import { readRunbookDir } from "../src/rag/runbooks.ts";

/**
 * Runbook-sized documents for bench:documents: 12 sections each, drawn from the real runbooks of
 * test/rag/fixtures, with corpus words mixed into every paragraph so no two chunks are alike.
 */
export const SECTIONS = 12;

const runbooks = await readRunbookDir(new URL("../test/rag/fixtures/runbooks", import.meta.url).pathname);

// Deterministic PRNG (mulberry32): every run posts the same documents.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const vocab = [...new Set(runbooks.flatMap((r) => r.content.match(/[A-Za-z]{4,}/g) ?? []))];
const teams = ["payments", "search", "ml-platform", "ads", "checkout", "identity", "data", "edge"];

/** Each runbook's `## ` sections as [alert name, section heading, section body]. */
const sections = runbooks.map((rb) => {
  const body = rb.content.replace(/^---[\s\S]*?\n---\n/, "");
  const alert = /^#\s+(.+)$/m.exec(body)?.[1]?.trim() ?? rb.path;
  return body
    .split(/^## /m)
    .slice(1)
    .map((s) => {
      const nl = s.indexOf("\n");
      return { alert, heading: s.slice(0, nl).trim(), body: s.slice(nl + 1).trim() };
    })
    .filter((s) => s.body);
});

/** Document i: 12 sections drawn from consecutive runbooks, each paragraph with six mixed-in words. */
export function makeDocument(i: number, prefix: string): { path: string; content: string } {
  const rand = rng(1000 + i);
  const pick = () => vocab[Math.floor(rand() * vocab.length)]!;
  const team = teams[i % teams.length]!;
  const picked: { alert: string; heading: string; body: string }[] = [];
  for (let r = (i * 3) % sections.length; picked.length < SECTIONS; r = (r + 1) % sections.length)
    picked.push(...sections[r]!.slice(0, SECTIONS - picked.length));
  const title = `${picked[0]!.alert} and related alerts (${team} cluster ${i})`;
  const body = picked
    .map(
      (s) =>
        `## ${s.alert}: ${s.heading}\n\n${Array.from({ length: 6 }, pick).join(" ")}. ${s.body.replace(
          /\n\n(?=[A-Za-z])/g,
          () => `\n\n${Array.from({ length: 6 }, pick).join(" ")}. `,
        )}`,
    )
    .join("\n\n");
  return {
    path: `${prefix}${team}/${i}.md`,
    content: `---\ntitle: ${title}\n---\n\n# ${title}\n\n${body}\n`,
  };
}
