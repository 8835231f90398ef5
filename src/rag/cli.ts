import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { apiClient } from "../http/api-client.ts";
import type { Citation, SearchResult } from "./model.ts";
import { readRunbookDir } from "./runbooks.ts";
import { snippetToText } from "./snippet.ts";

/** Files a request of `vigil ingest runbooks` carries, at most (the server takes up to 200). */
export const INGEST_BATCH_FILES = 50;
/** Bytes of content a request carries, about (well under the default 16 MB body limit). */
export const INGEST_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * The files in request-sized batches, in order: up to INGEST_BATCH_FILES files and about
 * INGEST_BATCH_BYTES of content each (a larger file goes alone).
 */
export function ingestBatches<T extends { content: string }>(
  files: T[],
  maxFiles = INGEST_BATCH_FILES,
  maxBytes = INGEST_BATCH_BYTES,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = Buffer.byteLength(f.content);
    if (current.length && (current.length >= maxFiles || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * `vigil ingest runbooks DIR`, `vigil search`, `vigil ask`: clients of a running Vigil over HTTP
 * (VIGIL_URL, VIGIL_API_KEY), since the embedded database is locked by the server process.
 */
export function registerRagCommands(program: Command): void {
  const ingest =
    program.commands.find((c) => c.name() === "ingest") ??
    program.command("ingest").description("Send data to a running Vigil (VIGIL_URL, VIGIL_API_KEY)");
  ingest
    .command("runbooks")
    .description(
      "Add or update every Markdown runbook under DIR (path = file path relative to DIR), in batches",
    )
    .argument("<dir>")
    .option("--kind <kind>", "document kind", "runbook")
    .option("--prefix <prefix>", "prefix for document paths", "")
    .action(async (dir: string, opts: { kind: string; prefix: string }) => {
      const client = apiClient();
      const files = await readRunbookDir(resolve(dir));
      if (!files.length) throw new Error(`no Markdown files under ${dir}`);
      const counts = { added: 0, updated: 0, unchanged: 0, failed: 0 };
      const bar = new SingleBar({
        stream: process.stderr,
        format: "ingesting [{bar}] {value}/{total} {file}",
        hideCursor: true,
        noTTYOutput: false,
      });
      bar.start(files.length, 0, { file: "" });
      for (const batch of ingestBatches(files)) {
        try {
          const r = await client.post<{ documents: { status: "added" | "updated" | "unchanged" }[] }>(
            "/api/v1/documents/batch",
            {
              documents: batch.map((f) => ({
                kind: opts.kind,
                path: `${opts.prefix}${f.path}`,
                content: f.content,
              })),
            },
          );
          for (const d of r.documents) counts[d.status]++;
        } catch (error) {
          // A batch is stored whole or not at all: every file of it failed.
          counts.failed += batch.length;
          const names = batch.length > 1 ? `${batch[0]!.path} … ${batch.at(-1)!.path}` : batch[0]!.path;
          process.stderr.write(`\n${names}: ${(error as Error).message}\n`);
        }
        bar.increment(batch.length, { file: batch.at(-1)!.path });
      }
      bar.stop();
      console.log(
        `${files.length} files: ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged` +
          (counts.failed ? `, ${counts.failed} failed` : ""),
      );
      if (counts.failed) process.exitCode = 1;
    });

  program
    .command("search")
    .description("Hybrid search over runbooks and incidents on a running Vigil")
    .argument("<query>")
    .option("-k, --k <n>", "results", "10")
    .option("--kind <kind...>", "only these kinds (runbook, incident, log, doc)")
    .option("--json", "print the JSON response")
    .action(async (query: string, opts: { k: string; kind?: string[]; json?: boolean }) => {
      const res = await apiClient().post<{ results: SearchResult[] }>("/api/v1/search", {
        query,
        k: Number(opts.k),
        kinds: opts.kind,
      });
      if (opts.json) return console.log(JSON.stringify(res, null, 2));
      if (!res.results.length) return console.log("no results");
      res.results.forEach((r, i) => {
        const snippet = snippetToText(r.snippet).replace(/\s+/g, " ");
        console.log(
          `${i + 1}. ${r.title} — ${r.heading}  (${r.kind}: ${r.path}, score ${r.score.toFixed(4)})`,
        );
        console.log(`   ${snippet}\n`);
      });
    });

  program
    .command("ask")
    .description("Ask a question; the answer cites runbooks and incidents (from a running Vigil)")
    .argument("<question>")
    .option("--json", "print the JSON response")
    .action(async (question: string, opts: { json?: boolean }) => {
      const res = await apiClient().post<{ answer: string; citations: Citation[] }>("/api/v1/ask", {
        question,
      });
      if (opts.json) return console.log(JSON.stringify(res, null, 2));
      console.log(res.answer);
      if (res.citations.length) {
        console.log("\nSources:");
        for (const c of res.citations) console.log(`  [${c.n}] ${c.title} — ${c.heading} (${c.path})`);
      }
    });
}
