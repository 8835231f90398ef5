/**
 * `npm run bench:hnsw`: what the HNSW build parameters cost against the recall they buy, on
 * bench:search's 50k-chunk corpus (PostgreSQL, or PGlite with --pglite). The corpus is indexed once
 * without the vector index; then, for each `m/ef_construction`, the built-in embedder's index is
 * built (one process, no parallel workers) and timed, and the vector leg as search runs it
 * (vectorLeg: ef_search, iterative scan, 50 candidates) is compared with an exact scan of the same
 * vectors: recall@10 by ids, ties broken by chunk id as in bench:search.
 *   --chunks N (50000)  --queries N (200)  --params 16/64,24/100,24/200  --pglite
 */
import { parseArgs } from "node:util";
import { createApiKey } from "../src/auth/store.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { BUILTIN_DIMENSIONS, BuiltinEmbedder } from "../src/rag/embedders/builtin.ts";
import { indexDocument } from "../src/rag/index-document.ts";
import { vectorLeg, vectorLiteral } from "../src/rag/store.ts";
import { scratchDatabase } from "./scratch-database.ts";
import { runbooks, sampleQueries, variant } from "./search-corpus.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "50000" },
    queries: { type: "string", default: "200" },
    params: { type: "string", default: "16/64,16/128,24/64,24/100,24/128,24/200" },
    pglite: { type: "boolean", default: false },
  },
});
const TARGET = Number(values.chunks);
const NQ = Number(values.queries);
const INDEX = "chunk_embeddings_hnsw_builtin_hash_v1";
const embedder = new BuiltinEmbedder();
const cast = `::vector(${BUILTIN_DIMENSIONS})`;

let database: Database;
let drop = async () => {};
if (values.pglite) database = await openDatabase({});
else {
  const scratch = await scratchDatabase("vigil_bench_hnsw");
  database = await openDatabase({ url: scratch.url, poolSize: 4 });
  drop = async () => {
    await database.close();
    await scratch.drop();
  };
}
await migrate(database);
await database.execute(`drop index ${INDEX}`);
const { projectId } = await createApiKey(database.db, "bench");
let chunks = 0;
for (let r = 0; chunks < TARGET; r++) {
  const batch = runbooks.map((rb) => (r === 0 ? rb : variant(rb, r)));
  for (let i = 0; i < batch.length && chunks < TARGET; i += 4) {
    const outs = await Promise.all(
      batch
        .slice(i, i + 4)
        .map((d) => indexDocument(database, embedder, projectId, { kind: "runbook", ...d })),
    );
    for (const o of outs) chunks += o.chunks;
  }
  process.stderr.write(`\r${chunks} chunks`);
}
process.stderr.write("\n");
const queries = await sampleQueries(database, NQ);
const vectors = await embedder.embed(queries);
const truth: Set<number>[] = [];
for (const v of vectors) {
  const rows = await database.execute<{ chunk_id: number }>(
    `select chunk_id from chunk_embeddings where embedder = '${embedder.id}' and project_id = '${projectId}'
     order by embedding${cast} <=> '${vectorLiteral(v)}'${cast}, chunk_id limit 10`,
  );
  truth.push(new Set(rows.map((r) => Number(r.chunk_id))));
}

console.log(
  `\n${chunks} chunks, ${queries.length} queries, load ${(await import("node:os")).loadavg()[0]!.toFixed(1)}`,
);
console.log("| m / ef_construction | build s | recall@10 (ids) | vector leg p50 ms |");
console.log("|---|---|---|---|");
for (const p of values.params!.split(",")) {
  const [m, efc] = p.split("/").map(Number);
  await database.execute(`drop index if exists ${INDEX}`);
  if (!values.pglite) await database.execute("set max_parallel_maintenance_workers = 0");
  await database.execute("set maintenance_work_mem = '512MB'");
  const t0 = performance.now();
  await database.execute(
    `create index ${INDEX} on chunk_embeddings using hnsw ((embedding${cast}) vector_cosine_ops)
     with (m = ${m}, ef_construction = ${efc}) where embedder = '${embedder.id}'`,
  );
  const build = (performance.now() - t0) / 1000;
  let hits = 0;
  const lat: number[] = [];
  for (const [i, v] of vectors.entries()) {
    const t1 = performance.now();
    const approx = (
      await vectorLeg(database, projectId, { id: embedder.id, dims: BUILTIN_DIMENSIONS }, v, 50)
    ).slice(0, 10);
    lat.push(performance.now() - t1);
    hits += approx.filter((a) => truth[i]!.has(a.chunkId)).length / truth[i]!.size;
  }
  lat.sort((a, b) => a - b);
  console.log(
    `| ${m} / ${efc} | ${build.toFixed(1)} | ${(hits / vectors.length).toFixed(3)} | ${lat[Math.floor(lat.length / 2)]!.toFixed(1)} |`,
  );
}
await drop();
