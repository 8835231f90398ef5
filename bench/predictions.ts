/**
 * Prediction-log ingest benchmark (`npm run bench:predictions`): a Vigil server (its own process)
 * receives 100,000 predictions (15 numerical + 5 categorical features, an output, unique request
 * ids) in one request, as NDJSON and as a JSON array, gzipped and not, from this process over
 * loopback, with a realistic contract on the model (every field typed, ranges and allowed values,
 * ~2% of rows breaking it). After each request the very same rows — the COPY text of what the
 * request stored, violations included — go by raw `COPY … FROM STDIN` into `predictions_copy`, a
 * copy of `predictions` with the same indexes, in the same database: the ratio ingest/COPY is of
 * the two measured back to back. On PostgreSQL (a fresh database of BENCH_DATABASE_URL, default the
 * test server) and on the embedded database (a data directory in a temp dir; its COPY baseline runs
 * after the server has stopped, from this process, through `/dev/blob`). Prints rows/s, the ratio
 * (target ≥ 0.6×), the server's peak RSS (VmHWM) and the CPU time its process (every thread) spent on
 * the request: a figure that holds when other work shares the machine, as wall times do not.
 * Env: BENCH_ROWS (100000), BENCH_ONLY (postgres | pglite), BENCH_SERVER_NODE_ARGS,
 * BENCH_VARIANTS (some of ndjson,array,ndjson-gzip,array-gzip; default all).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openDatabase } from "../src/db/client.ts";
import { copyIn } from "../src/db/copy.ts";
import { BatchSummary, compileContract } from "../src/predictions/contract-check.ts";
import { copyRows, PREDICTION_COLUMNS } from "../src/predictions/prepare.ts";
import { normal, rng } from "./predictions-synthetic.ts";
import { ADMIN_URL, scratchDatabase } from "./scratch-database.ts";
import { cpuSeconds, peakRssMb, serverNodeArgs, startServer, stopServer } from "./vigil-server.ts";

const ROWS = Number(process.env.BENCH_ROWS || 100_000);
const ONLY = process.env.BENCH_ONLY;
const KEY = `vgl_bench_${randomBytes(12).toString("hex")}`;
const NODE_ARGS = serverNodeArgs();
const MODEL = "bench";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const CATEGORIES = Array.from({ length: 5 }, (_, i) => Array.from({ length: 4 + 2 * i }, (_, k) => `v${k}`));

/** The model's contract: what a team would declare for these features. */
const CONTRACT = {
  fields: {
    ...Object.fromEntries(
      Array.from({ length: 15 }, (_, i) => [
        `f${i}`,
        { type: "number", nullable: false, min: -3.2 * (i + 1), max: 3.2 * (i + 1) },
      ]),
    ),
    ...Object.fromEntries(
      CATEGORIES.map((values, i) => [
        `c${i}`,
        { type: "category", nullable: i > 2, values, ...(i > 2 ? { maxNullRate: 0.1 } : {}) },
      ]),
    ),
  },
  violationThreshold: 0.05,
  detectSchemaChanges: true,
};

interface Row {
  model: string;
  modelVersion: string;
  timestamp: string;
  requestId: string;
  features: Record<string, number | string | null>;
  output: number;
}

function makeRows(n: number, tag: string, seed: number): Row[] {
  const r = rng(seed);
  const t0 = Date.now() - 3_600_000;
  return Array.from({ length: n }, (_, i) => {
    const features: Row["features"] = {};
    for (let f = 0; f < 15; f++) features[`f${f}`] = Math.round(normal(r) * (f + 1) * 1e4) / 1e4;
    for (let c = 0; c < 5; c++) {
      const values = CATEGORIES[c]!;
      features[`c${c}`] = c > 2 && r() < 0.02 ? null : values[Math.floor(r() * values.length)]!;
    }
    return {
      model: MODEL,
      modelVersion: "v3",
      timestamp: new Date(t0 + i * 30).toISOString(),
      requestId: `${tag}-${i}`,
      features,
      output: Math.round(r() * 1000) / 1000,
    };
  });
}

/**
 * The rows as `predictions` holds them, in COPY text: what the COPY baseline loads — built by the
 * writer's own copyRows, contract check included, so both sides store the very same rows.
 */
const COPY_COLUMNS = [...PREDICTION_COLUMNS];
function copyText(projectId: string, rows: Row[]): string[] {
  const contract = compileContract(CONTRACT as never);
  const now = new Date().toISOString();
  const models = new Set(rows.map((r) => r.model));
  const checks = new Map([...models].map((m) => [m, { contract, summary: new BatchSummary(contract) }]));
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    chunks.push(copyRows(rows.slice(i, i + 1000), projectId, "api", now, checks));
  }
  return chunks;
}

const agent = new Agent({ keepAlive: true });

function send(
  base: string,
  path: string,
  method: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: { ...headers, "content-length": body.byteLength, authorization: `Bearer ${KEY}` },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

interface Variant {
  key: string;
  name: string;
  array: boolean;
  gzip: boolean;
}
const ALL_VARIANTS: Variant[] = [
  { key: "ndjson", name: "NDJSON", array: false, gzip: false },
  { key: "array", name: "JSON array", array: true, gzip: false },
  { key: "ndjson-gzip", name: "NDJSON, gzip", array: false, gzip: true },
  { key: "array-gzip", name: "JSON array, gzip", array: true, gzip: true },
];
const wanted = (process.env.BENCH_VARIANTS ?? "").split(",").filter(Boolean);
for (const w of wanted)
  if (!ALL_VARIANTS.some((v) => v.key === w)) throw new Error(`BENCH_VARIANTS: unknown variant ${w}`);
const VARIANTS = wanted.length ? ALL_VARIANTS.filter((v) => wanted.includes(v.key)) : ALL_VARIANTS;

function body(rows: Row[], v: Variant): Buffer {
  const text = v.array
    ? `[${rows.map((r) => JSON.stringify(r)).join(",")}]`
    : `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
  const raw = Buffer.from(text);
  return v.gzip ? gzipSync(raw) : raw;
}

interface Result {
  variant: string;
  bytes: number;
  ingestRowsPerSecond: number;
  copyRowsPerSecond: number;
  ratio: number;
  flagged: number;
  rssMb: number;
  serverCpuSeconds: number;
}

async function ingest(base: string, rows: Row[], v: Variant) {
  const payload = body(rows, v);
  const res = await send(base, "/api/v1/predictions", "POST", payload, {
    "content-type": v.array ? "application/json" : "application/x-ndjson",
    ...(v.gzip ? { "content-encoding": "gzip" } : {}),
  });
  if (res.status !== 200) throw new Error(`ingest ${v.name}: ${res.status} ${res.text.slice(0, 500)}`);
  const result = JSON.parse(res.text) as { inserted: number; flagged: number };
  if (result.inserted !== rows.length) throw new Error(`ingest ${v.name}: ${res.text}`);
  return { seconds: res.ms / 1000, bytes: payload.byteLength, flagged: result.flagged };
}

async function putContract(base: string) {
  const res = await send(base, `/api/v1/contracts/${MODEL}`, "PUT", Buffer.from(JSON.stringify(CONTRACT)), {
    "content-type": "application/json",
  });
  if (res.status >= 300) throw new Error(`contract: ${res.status} ${res.text}`);
}

const COPY_TABLE = "create table predictions_copy (like predictions including all)";

async function onPostgres(): Promise<Result[]> {
  const { url, drop } = await scratchDatabase();
  let server: ChildProcess | undefined;
  const results: Result[] = [];
  try {
    const started = await startServer(KEY, { DATABASE_URL: url, VIGIL_BODY_LIMIT: "256mb" }, NODE_ARGS);
    server = started.child;
    await putContract(started.base);
    await ingest(started.base, makeRows(2000, "warm", 1), VARIANTS[0]!); // connections, JIT
    const database = await openDatabase({ url, poolSize: 1 });
    try {
      await database.execute(COPY_TABLE);
      for (const [k, v] of VARIANTS.entries()) {
        const rows = makeRows(ROWS, `pg${k}`, 100 + k);
        console.error(`PostgreSQL: ${v.name}, ${ROWS} rows`);
        const cpu0 = cpuSeconds(server.pid!);
        const run = await ingest(started.base, rows, v);
        const serverCpuSeconds = cpuSeconds(server.pid!) - cpu0;
        const chunks = copyText(randomUUID(), rows);
        const t0 = performance.now();
        await copyIn(database.db, "predictions_copy", COPY_COLUMNS, chunks);
        const copySeconds = (performance.now() - t0) / 1000;
        results.push({
          variant: v.name,
          bytes: run.bytes,
          ingestRowsPerSecond: ROWS / run.seconds,
          copyRowsPerSecond: ROWS / copySeconds,
          ratio: copySeconds / run.seconds,
          flagged: run.flagged,
          rssMb: peakRssMb(server.pid!),
          serverCpuSeconds,
        });
      }
    } finally {
      await database.close();
    }
  } finally {
    if (server) await stopServer(server);
    await drop();
  }
  return results;
}

/**
 * The embedded database allows one process at a time: the server ingests every variant, then (it
 * stopped) this process copies the same rows into the copy table of the same data directory.
 */
async function onPglite(): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  const runs: {
    v: Variant;
    rows: Row[];
    seconds: number;
    bytes: number;
    flagged: number;
    rss: number;
    cpu: number;
  }[] = [];
  try {
    const started = await startServer(
      KEY,
      { DATABASE_URL: "", VIGIL_DATA_DIR: dir, VIGIL_BODY_LIMIT: "256mb" },
      NODE_ARGS,
    );
    try {
      await putContract(started.base);
      await ingest(started.base, makeRows(2000, "warm", 1), VARIANTS[0]!);
      for (const [k, v] of VARIANTS.entries()) {
        const rows = makeRows(ROWS, `lite${k}`, 200 + k);
        console.error(`PGlite: ${v.name}, ${ROWS} rows`);
        const cpu0 = cpuSeconds(started.child.pid!);
        const run = await ingest(started.base, rows, v);
        const cpu = cpuSeconds(started.child.pid!) - cpu0;
        runs.push({ v, rows, ...run, rss: peakRssMb(started.child.pid!), cpu });
      }
    } finally {
      await stopServer(started.child);
    }
    const database = await openDatabase({ dataDir: dir });
    try {
      await database.execute(COPY_TABLE);
      await copyIn(
        database.db,
        "predictions_copy",
        COPY_COLUMNS,
        copyText(randomUUID(), makeRows(2000, "w", 1)),
      );
      const results: Result[] = [];
      for (const run of runs) {
        console.error(`PGlite: COPY baseline of ${run.v.name}`);
        const chunks = copyText(randomUUID(), run.rows);
        const t0 = performance.now();
        await copyIn(database.db, "predictions_copy", COPY_COLUMNS, chunks);
        const copySeconds = (performance.now() - t0) / 1000;
        results.push({
          variant: run.v.name,
          bytes: run.bytes,
          ingestRowsPerSecond: ROWS / run.seconds,
          copyRowsPerSecond: ROWS / copySeconds,
          ratio: copySeconds / run.seconds,
          flagged: run.flagged,
          rssMb: run.rss,
          serverCpuSeconds: run.cpu,
        });
      }
      return results;
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(title: string, results: Result[]) {
  console.log(`\n${title}`);
  console.log(
    "  variant             body MB   ingest rows/s   COPY rows/s   ratio   flagged   server peak RSS   server CPU",
  );
  for (const r of results) {
    console.log(
      `  ${r.variant.padEnd(18)} ${fmt(r.bytes / 2 ** 20, 1).padStart(8)} ${fmt(r.ingestRowsPerSecond).padStart(15)} ${fmt(
        r.copyRowsPerSecond,
      ).padStart(
        13,
      )} ${`${fmt(r.ratio, 2)}×`.padStart(7)} ${String(r.flagged).padStart(9)} ${`${fmt(r.rssMb)} MB`.padStart(17)} ${`${fmt(r.serverCpuSeconds, 2)} s`.padStart(12)}`,
    );
  }
}

const [load] = readFileSync("/proc/loadavg", "utf8").split(" ");
console.error(`load average ${load}; ${ROWS} rows a request`);
const all: Record<string, Result[]> = {};
if (ONLY !== "pglite") {
  all.postgres = await onPostgres();
  print(
    `PostgreSQL (${new URL(ADMIN_URL).host}) — ${ROWS} predictions a request, target ≥ 0.6× COPY`,
    all.postgres,
  );
}
if (ONLY !== "postgres") {
  all.pglite = await onPglite();
  print(
    `PGlite (embedded, data directory) — ${ROWS} predictions a request, its own COPY baseline`,
    all.pglite,
  );
}
const [loadAfter] = readFileSync("/proc/loadavg", "utf8").split(" ");
console.log(`\nload average ${load} → ${loadAfter}`);
console.log(JSON.stringify(all));
