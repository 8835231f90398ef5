/**
 * `npm run eval:rag`: retrieval quality on the runbook dev set, by document.
 * Loads the runbooks of test/rag/fixtures into a fresh embedded database (or DATABASE_URL's, in a
 * new project), runs every query through the text leg alone, the vector leg alone and the fusion, and
 * prints recall@1, recall@5 and MRR@10 side by side. Options: --queries FILE, --runbooks DIR.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createApiKey } from "../src/auth/store.ts";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { BuiltinEmbedder } from "../src/rag/embedders/builtin.ts";
import { DEFAULT_WEIGHTS } from "../src/rag/fusion.ts";
import { indexDocument } from "../src/rag/index-document.ts";
import { readRunbookDir } from "../src/rag/runbooks.ts";
import { hybridSearch } from "../src/rag/search.ts";

const { values } = parseArgs({
  options: {
    runbooks: {
      type: "string",
      default: new URL("../test/rag/fixtures/runbooks", import.meta.url).pathname,
    },
    queries: {
      type: "string",
      default: new URL("../test/rag/fixtures/runbook-queries.dev.jsonl", import.meta.url).pathname,
    },
    verbose: { type: "boolean", default: false },
    /** RRF k and leg weights, to explore fusion settings (defaults: the service's). */
    "rrf-k": { type: "string" },
    "text-weight": { type: "string" },
    "vector-weight": { type: "string" },
  },
});

const database = await openDatabase({ url: process.env.DATABASE_URL });
await migrate(database);
const { projectId } = await createApiKey(database.db, `eval-rag-${Date.now()}`);
const embedder = new BuiltinEmbedder();
const files = await readRunbookDir(values.runbooks!);
for (const f of files)
  await indexDocument(database, embedder, projectId, { kind: "runbook", path: f.path, content: f.content });

const queries = readFileSync(values.queries!, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { query: string; relevant: string });

function num(v: string | undefined) {
  return v === undefined ? undefined : Number(v);
}
function weights() {
  if (values["text-weight"] === undefined && values["vector-weight"] === undefined) return undefined;
  return {
    text: num(values["text-weight"]) ?? DEFAULT_WEIGHTS.text,
    vector: num(values["vector-weight"]) ?? DEFAULT_WEIGHTS.vector,
  };
}

const legs = ["text", "vector", "both"] as const;
const table: Record<string, { r1: number; r5: number; mrr: number }> = {};
for (const leg of legs) {
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  for (const q of queries) {
    const results = await hybridSearch(
      database,
      embedder,
      projectId,
      { query: q.query, k: 10, kinds: ["runbook"] },
      { legs: leg, rrfK: num(values["rrf-k"]), weights: weights() },
    );
    const rank = results.findIndex((r) => r.path.replace(/\.md$/, "") === q.relevant);
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0) mrr += 1 / (rank + 1);
    if (values.verbose && rank !== 0)
      console.error(
        `[${leg}] rank ${rank + 1 || "-"} ${q.relevant} ← ${results
          .slice(0, 3)
          .map((r) => r.path)
          .join(", ")}`,
      );
  }
  const n = queries.length;
  table[leg === "both" ? "fusion (RRF)" : `${leg} leg`] = { r1: r1 / n, r5: r5 / n, mrr: mrr / n };
}
// On a server database the evaluation leaves nothing behind (documents cascade with the project).
await database.query(sql`delete from projects where id = ${projectId}`);
await database.close();

console.log(
  `${files.length} runbooks, ${queries.length} queries, embedder ${embedder.id}, database ${database.kind}\n`,
);
console.log("| method | recall@1 | recall@5 | MRR@10 |\n|---|---|---|---|");
console.log("| BM25 whole runbooks (baseline, given) | 0.781 | 1.000 | 0.885 |");
for (const [name, m] of Object.entries(table))
  console.log(`| ${name} | ${m.r1.toFixed(3)} | ${m.r5.toFixed(3)} | ${m.mrr.toFixed(3)} |`);
