/**
 * Document indexing benchmark (`npm run bench:documents`): a Vigil server (its own process)
 * receives 400 runbook-sized documents of 12 sections each, built from the real runbooks of
 * test/rag/fixtures (sections of three runbooks per document, corpus words mixed into every
 * paragraph so no two chunks are alike), from one client posting one document a request, one at
 * a time ("single"), and then, on a fresh database, the same documents in batches of BENCH_BATCH
 * (50) a request to POST /api/v1/documents/batch ("bulk": what `vigil ingest runbooks` does). After
 * each, in the same run, the very chunk and embedding
 * rows the server stored are loaded by raw `COPY … FROM STDIN` into copies of `chunks` and
 * `chunk_embeddings` with the same indexes (HNSW included): the ratio is of the two. On PostgreSQL
 * (a fresh database of BENCH_DATABASE_URL, default the test server) and on the embedded database
 * (a data directory; its COPY runs from this process after the server has stopped).
 * Env: BENCH_DOCS (400), BENCH_BATCH (50), BENCH_ONLY (postgres | pglite), BENCH_MODE (single | bulk).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/client.ts";
import { makeDocument, SECTIONS } from "./documents-corpus.ts";
import { createCopyTables, storedRows, timeCopy } from "./rag-copy.ts";
import { scratchDatabase } from "./scratch-database.ts";
import { startServer, stopServer } from "./vigil-server.ts";

const DOCS = Number(process.env.BENCH_DOCS || 400);
const BATCH = Number(process.env.BENCH_BATCH || 50);
const ONLY = process.env.BENCH_ONLY;
const MODE = process.env.BENCH_MODE;
type Mode = "single" | "bulk";
const KEY = `vgl_bench_${randomBytes(12).toString("hex")}`;

const agent = new Agent({ keepAlive: true });

function post(base: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": payload.byteLength,
          authorization: `Bearer ${KEY}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

type Outcome = { status: string; chunks: number; embedded: boolean };

/**
 * Posts the documents one at a time (single) or BATCH a request (bulk); returns the chunks stored
 * and the seconds it took.
 */
async function postAll(base: string, docs: { path: string; content: string }[], mode: Mode) {
  let chunks = 0;
  const t0 = performance.now();
  const size = mode === "single" ? 1 : BATCH;
  for (let i = 0; i < docs.length; i += size) {
    const batch = docs.slice(i, i + size).map((d) => ({ kind: "runbook", path: d.path, content: d.content }));
    const res =
      mode === "single"
        ? await post(base, "/api/v1/documents", batch[0])
        : await post(base, "/api/v1/documents/batch", { documents: batch });
    if (res.status !== (mode === "single" ? 201 : 200))
      throw new Error(`${batch[0]!.path}: ${res.status} ${res.text.slice(0, 300)}`);
    const body = JSON.parse(res.text) as Outcome | { documents: Outcome[] };
    for (const out of "documents" in body ? body.documents : [body]) {
      if (out.status !== "added" || !out.embedded)
        throw new Error(`${batch[0]!.path}: ${JSON.stringify(out)}`);
      chunks += out.chunks;
    }
  }
  return { chunks, seconds: (performance.now() - t0) / 1000 };
}

interface Result {
  database: string;
  mode: Mode;
  docs: number;
  chunks: number;
  indexSeconds: number;
  copySeconds: number;
}

const measured = Array.from({ length: DOCS }, (_, i) => makeDocument(i, "bench/"));
const warmup = Array.from({ length: 10 }, (_, i) => makeDocument(DOCS + i, "warm/"));

async function onPostgres(mode: Mode): Promise<Result> {
  const { url, drop } = await scratchDatabase("vigil_bench_docs");
  let server: ChildProcess | undefined;
  try {
    const started = await startServer(KEY, { DATABASE_URL: url });
    server = started.child;
    await postAll(started.base, warmup, mode);
    console.error(`PostgreSQL, ${mode}: ${DOCS} documents`);
    const run = await postAll(started.base, measured, mode);
    const database = await openDatabase({ url, poolSize: 1 });
    try {
      await createCopyTables(database);
      const rows = await storedRows(database, "bench/");
      if (rows.count !== run.chunks) throw new Error(`stored ${rows.count} chunks, answered ${run.chunks}`);
      console.error("PostgreSQL: COPY baseline");
      const copySeconds = await timeCopy(database, rows);
      return {
        database: "PostgreSQL",
        mode,
        docs: DOCS,
        chunks: run.chunks,
        indexSeconds: run.seconds,
        copySeconds,
      };
    } finally {
      await database.close();
    }
  } finally {
    if (server) await stopServer(server);
    await drop();
  }
}

async function onPglite(mode: Mode): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-docs-"));
  try {
    const started = await startServer(KEY, { DATABASE_URL: "", VIGIL_DATA_DIR: dir });
    let run: { chunks: number; seconds: number };
    try {
      await postAll(started.base, warmup, mode);
      console.error(`PGlite, ${mode}: ${DOCS} documents`);
      run = await postAll(started.base, measured, mode);
    } finally {
      await stopServer(started.child);
    }
    const database = await openDatabase({ dataDir: dir });
    try {
      await createCopyTables(database);
      const rows = await storedRows(database, "bench/");
      if (rows.count !== run.chunks) throw new Error(`stored ${rows.count} chunks, answered ${run.chunks}`);
      // Warm the COPY path (PGlite compiles on first use) with the warm-up documents' rows.
      await timeCopy(database, await storedRows(database, "warm/"));
      console.error("PGlite: COPY baseline");
      const copySeconds = await timeCopy(database, rows);
      return {
        database: "PGlite",
        mode,
        docs: DOCS,
        chunks: run.chunks,
        indexSeconds: run.seconds,
        copySeconds,
      };
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const loadBefore = loadavg();
console.error(`load average ${loadBefore}`);
const results: Result[] = [];
const modes: Mode[] = MODE === "single" || MODE === "bulk" ? [MODE] : ["single", "bulk"];
for (const mode of modes) {
  if (ONLY !== "pglite") results.push(await onPostgres(mode));
  if (ONLY !== "postgres") results.push(await onPglite(mode));
}
console.log(
  `\n${DOCS} documents of ${SECTIONS} sections, one client; single: one document a request, bulk: ${BATCH} a request; target ≥ 0.5× COPY`,
);
console.log(
  "| database | mode | documents | chunks | indexing chunks/s (s) | raw COPY chunks/s (s) | ratio |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of results)
  console.log(
    `| ${r.database} | ${r.mode} | ${r.docs} | ${r.chunks} | ${(r.chunks / r.indexSeconds).toFixed(0)} (${r.indexSeconds.toFixed(1)}) | ${(
      r.chunks / r.copySeconds
    ).toFixed(0)} (${r.copySeconds.toFixed(1)}) | ${(r.copySeconds / r.indexSeconds).toFixed(2)}× |`,
  );
console.log(`\nload average ${loadBefore} → ${loadavg()}`);
