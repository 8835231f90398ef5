/**
 * OTLP ingest benchmark (`npm run bench:ingest`): a Vigil server (its own process, on a fresh
 * database of the local PostgreSQL) receives protobuf batches of 1,000 realistic spans from this
 * process over loopback.
 *   1. max rate: BENCH_CONCURRENCY senders back to back for BENCH_SECONDS → spans/s written (until
 *      the span writer has written every accepted batch), request latency;
 *   2. 80% of that rate, paced (open loop) → latency p50/p99 (target p99 < 100 ms), and how long
 *      accepted batches waited to be written (the server's vigil_otlp_write_lag_seconds);
 *   3. baseline: raw COPY of the same rows into the same table of the same database → rows/s,
 *      and the ratio ingest/COPY (target ≥ 0.6).
 * Prints the server's peak RSS too. Env: BENCH_DATABASE_URL (default the test server),
 * BENCH_SECONDS (20), BENCH_CONCURRENCY (4), BENCH_PACED_SHARE (0.8), BENCH_SERVER_NODE_ARGS (extra node flags for the server).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import postgres from "postgres";
import { decodeProtobufRequest } from "../src/traces/otlp/protobuf.ts";
import { validateSpans } from "../src/traces/prepare/validate.ts";
import { makeBatch } from "./ingest-spans.ts";
import { scratchDatabase } from "./scratch-database.ts";
import { peakRssMb, serverNodeArgs, startServer, stopServer } from "./vigil-server.ts";

const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 4);
/** Phase 2 runs at this share of the max rate (the target is stated at 0.8). */
const PACED_SHARE = Number(process.env.BENCH_PACED_SHARE || 0.8);
const BATCH = 1000;
const KEY = `vgl_bench_${randomBytes(12).toString("hex")}`;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Keep-alive connections, as an exporter keeps them; node:http costs the sender less CPU than fetch. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One export; a connection error counts as status 0 (printed with the statuses), not a crash. */
function send(base: string, body: Uint8Array): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      `${base}/v1/traces`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-protobuf",
          "content-length": body.byteLength,
          authorization: `Bearer ${KEY}`,
        },
      },
      (res) => {
        res.resume(); // the answer is a few bytes: read and dropped
        res.on("end", () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
      },
    );
    req.on("error", (error) => {
      console.error(`request failed: ${error.message}`);
      resolve({ ms: performance.now() - started, status: 0 });
    });
    req.end(body);
  });
}

function generate(n: number): Uint8Array[] {
  const now = nowNs();
  return Array.from({ length: n }, () => makeBatch(BATCH, now));
}

/** Spans still queued (accepted, not yet written to the span store). */
async function queued(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select coalesce(sum(span_count), 0)::int as n from span_batches`;
  return row?.n ?? 0;
}

/** Waits until the span writer has written everything accepted; returns when that happened. */
async function drained(sql: postgres.Sql): Promise<number> {
  while ((await queued(sql)) > 0) await new Promise((r) => setTimeout(r, 20));
  return performance.now();
}

/**
 * Phase 1: back to back from CONCURRENCY senders (a 429 — queue full — waits 50 ms and moves on,
 * as an exporter backs off). The rate is of spans written: from the first request until the span
 * writer has written the last accepted batch, so a queue filling up does not count as speed.
 */
async function maxRate(base: string, batches: Uint8Array[], sql: postgres.Sql) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  let spans = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && next < batches.length) {
        const batch = batches[next++]!;
        // A refused batch is sent again after 50 ms, as an exporter retries a 429.
        for (let status = 429; status === 429 && performance.now() < deadline; ) {
          const sent = await send(base, batch);
          status = sent.status;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 200) {
            spans += BATCH;
            latencies.push(sent.ms);
          } else if (status === 429) await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
  const sent = performance.now();
  const seconds = ((await drained(sql)) - started) / 1000;
  return {
    spansPerSecond: spans / seconds,
    seconds,
    drainSeconds: seconds - (sent - started) / 1000,
    used: next,
    latencies: latencies.sort((a, b) => a - b),
    statuses,
  };
}

/** The server's write-lag histogram (vigil_otlp_write_lag_seconds): cumulative counts by bucket. */
async function lagBuckets(base: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^vigil_otlp_write_lag_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
    buckets.set(m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/** The bucket bound under which p% of the batches between two scrapes were written. */
function lagPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const [le, n] of after) if (n - (before.get(le) ?? 0) >= (p / 100) * total) return le;
  return NaN;
}

/** Phase 2: open loop at a fixed rate; latency from the moment each request was due. */
async function paced(base: string, batches: Uint8Array[], spansPerSecond: number) {
  const interval = (1000 * BATCH) / spansPerSecond;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < batches.length; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(base, batches[i]!).then(({ status }) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  return {
    latencies: latencies.sort((a, b) => a - b),
    statuses,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Phase 3: the same spans, as the rows the ingest path writes, by raw COPY into the same table. */
async function copyBaseline(url: string, batches: Uint8Array[]) {
  const projectId = randomUUID(); // another project: same ids, no conflict with what was ingested
  const { prepareSpans, SPAN_COLUMNS } = await import("../src/traces/store/copy-text.ts");
  // Exactly the COPY text the span writer sends for these batches (prepared at acceptance).
  const chunks = batches.map(
    (b) =>
      prepareSpans(
        projectId,
        validateSpans(decodeProtobufRequest(b), { nowNs: nowNs(), retentionDays: 7 }).records,
      ).rows,
  );
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const started = performance.now();
    const stream = await sql.unsafe(`copy spans (${SPAN_COLUMNS.join(", ")}) from stdin`).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("finish", () => resolve());
      for (const c of chunks) stream.write(c);
      stream.end();
    });
    const seconds = (performance.now() - started) / 1000;
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from spans where project_id = ${projectId}`;
    const rows = row?.n ?? 0;
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function main() {
  const { name, url, drop } = await scratchDatabase();
  let server: ChildProcess | undefined;
  try {
    console.error(`database ${name}; generating batches…`);
    const warm = generate(5);
    // Enough for the phase at up to ~80k spans/s (350 kB each); unused ones are simply not sent.
    const phase1 = generate(Math.ceil((SECONDS * 80_000) / BATCH));
    const started = await startServer(
      KEY,
      { DATABASE_URL: url, VIGIL_DB_POOL_SIZE: "10", VIGIL_BODY_LIMIT: "16mb" },
      serverNodeArgs(),
    );
    server = started.child;
    for (const b of warm) await send(started.base, b); // partitions, connections, JIT
    (globalThis as { gc?: () => void }).gc?.();
    const bench = postgres(url, { max: 1, onnotice: () => {} });
    await drained(bench);

    console.error(`phase 1: max rate, ${CONCURRENCY} senders, ${SECONDS}s`);
    const max = await maxRate(started.base, phase1, bench);
    const target = max.spansPerSecond * PACED_SHARE;
    const phase2 = generate(Math.ceil((target * SECONDS) / BATCH));
    // Settle the sender's heap (run with --expose-gc): generating phase 2 left garbage whose
    // collection would otherwise stall the sender, and show as latency, while it sends.
    (globalThis as { gc?: () => void }).gc?.();
    console.error(`phase 2: paced at ${fmt(target)} spans/s, ${SECONDS}s`);
    // The sender's own stalls (its GC, say) would show as request latency: measured to tell.
    const eld = monitorEventLoopDelay({ resolution: 10 });
    const lagBefore = await lagBuckets(started.base);
    eld.enable();
    const steady = await paced(started.base, phase2, target);
    eld.disable();
    await drained(bench);
    const lagAfter = await lagBuckets(started.base);
    await bench.end({ timeout: 2 });
    const rss = peakRssMb(started.child.pid!);

    console.error("phase 3: COPY baseline");
    const copy = await copyBaseline(url, phase1.slice(0, max.used));
    const ratio = max.spansPerSecond / copy.rowsPerSecond;

    const statuses = (m: Map<number, number>) => [...m].map(([s, n]) => `${s}×${n}`).join(" ");
    console.log(`
OTLP ingest benchmark — ${BATCH} spans per protobuf request, loopback, PostgreSQL at ${new URL(url).host}
  max rate            ${fmt(max.spansPerSecond)} spans/s written  (${CONCURRENCY} senders, ${fmt(max.seconds, 1)} s of which ${fmt(max.drainSeconds, 1)} s writing what was queued; ${max.used} batches: ${statuses(max.statuses)})
    latency           p50 ${fmt(pct(max.latencies, 50), 1)} ms  p99 ${fmt(pct(max.latencies, 99), 1)} ms
  at ${Math.round(PACED_SHARE * 100)}% (${fmt(target)} spans/s, paced, ${fmt(steady.seconds, 1)} s: ${statuses(steady.statuses)})
    latency           p50 ${fmt(pct(steady.latencies, 50), 1)} ms  p90 ${fmt(pct(steady.latencies, 90), 1)} ms  p95 ${fmt(pct(steady.latencies, 95), 1)} ms  p99 ${fmt(pct(steady.latencies, 99), 1)} ms  max ${fmt(steady.latencies.at(-1) ?? NaN, 1)} ms   (target p99 < 100 ms)
    queued → written  p50 ≤ ${lagPercentile(lagBefore, lagAfter, 50) * 1000} ms  p99 ≤ ${lagPercentile(lagBefore, lagAfter, 99) * 1000} ms   (server histogram buckets)
    sender stalls     event-loop delay p99 ${fmt(eld.percentile(99) / 1e6, 1)} ms  max ${fmt(eld.max / 1e6, 1)} ms
  server peak RSS     ${fmt(rss)} MB
  raw COPY baseline   ${fmt(copy.rowsPerSecond)} rows/s  (${copy.rows} rows in ${fmt(copy.seconds, 2)} s, same table and database)
  ratio ingest/COPY   ${fmt(ratio, 2)}×   (target ≥ 0.6×)
`);
    console.log(
      JSON.stringify({
        spansPerSecond: Math.round(max.spansPerSecond),
        p50Ms: pct(max.latencies, 50),
        p99Ms: pct(max.latencies, 99),
        at80: {
          spansPerSecond: Math.round(target),
          p50Ms: pct(steady.latencies, 50),
          p90Ms: pct(steady.latencies, 90),
          p95Ms: pct(steady.latencies, 95),
          p99Ms: pct(steady.latencies, 99),
          maxMs: steady.latencies.at(-1),
          writeLagP50Ms: lagPercentile(lagBefore, lagAfter, 50) * 1000,
          writeLagP99Ms: lagPercentile(lagBefore, lagAfter, 99) * 1000,
          senderEventLoopDelayMaxMs: eld.max / 1e6,
        },
        peakRssMb: Math.round(rss),
        copyRowsPerSecond: Math.round(copy.rowsPerSecond),
        ratio: Number(ratio.toFixed(3)),
      }),
    );
  } finally {
    if (server) await stopServer(server);
    await drop();
  }
}

await main();
