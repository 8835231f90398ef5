/**
 * npm run bench:alerts — alert webhook ingestion and notification dispatch, on the embedded
 * database (PGlite, in memory) and on the local PostgreSQL (a fresh database, dropped afterwards).
 *
 * Requests go through the whole app (auth, zod, transaction, stored payload, incident upsert,
 * dispatch kick) via app.request — no socket, so figures are the service's own cost.
 *   1. generic, one dedupKey (repeats → count bump): sequential and 20 concurrent
 *   2. generic, distinct dedupKeys (each opens an incident), 20 concurrent
 *   3. Alertmanager v4 payloads of 100 alerts each (new fingerprints), sequential
 *   4. dispatchPending: route every pending incident event into deliveries (one rule, one channel)
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import postgres from "postgres";
import { buildApp } from "../src/app.ts";
import { createApiKey } from "../src/auth/store.ts";
import { loadConfig } from "../src/config.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { AppDeps } from "../src/deps.ts";
import { Jobs } from "../src/jobs/queue.ts";
import { dispatchPending } from "../src/notifications/dispatch.ts";
import { createSpanWriter } from "../src/traces/store/writer.ts";
import { defineJobs } from "../src/workers.ts";

const PG_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const N = Number(process.env.BENCH_ALERTS_N ?? 1000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function run(kind: "pglite" | "postgres", database: Database, url?: string) {
  const log = pino({ level: "silent" });
  const config = loadConfig({ LOG_LEVEL: "silent", VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true" });
  // Jobs started without workers: the dispatch kick is a real pg-boss insert, nothing is worked.
  const jobs = Jobs.create(database, { log, runWorkers: false, url });
  // Never started: this bench sends no spans.
  const spanWriter = createSpanWriter(database, log, config);
  const deps: AppDeps = { config, database, log, jobs };
  defineJobs(deps);
  await jobs.start();
  const { key } = await createApiKey(database.db, "bench");
  const app = buildApp(deps, { spanWriter });
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    });

  async function measure(
    label: string,
    total: number,
    concurrency: number,
    make: (i: number) => Response | Promise<Response>,
  ) {
    const lat: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const t0 = performance.now();
          const res = await make(i);
          if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status} ${await res.text()}`);
          lat.push(performance.now() - t0);
        }
      }),
    );
    const secs = (performance.now() - started) / 1000;
    console.log(
      `${kind.padEnd(8)} ${label.padEnd(46)} ${String(total).padStart(5)} req  ${(total / secs).toFixed(0).padStart(6)} req/s  p50 ${pct(lat, 50).toFixed(1)} ms  p99 ${pct(lat, 99).toFixed(1)} ms`,
    );
  }

  const generic = (dedupKey: string) => ({
    title: `Bench ${dedupKey}`,
    severity: "error",
    source: "bench",
    status: "firing",
    dedupKey,
  });
  await measure("generic, same dedupKey, sequential", N, 1, () =>
    post("/api/v1/alerts/generic", generic("same")),
  );
  await measure("generic, same dedupKey, 20 concurrent", N, 20, () =>
    post("/api/v1/alerts/generic", generic("same")),
  );
  await measure("generic, new incident each, 20 concurrent", N, 20, (i) =>
    post("/api/v1/alerts/generic", generic(`k${i}`)),
  );

  const AM_BATCH = 100;
  const amPayloads = 20;
  const amPayload = (p: number) => ({
    version: "4",
    status: "firing",
    receiver: "vigil",
    groupKey: `{}:{p="${p}"}`,
    truncatedAlerts: 0,
    alerts: Array.from({ length: AM_BATCH }, (_, i) => ({
      status: "firing",
      labels: { alertname: "Bench", instance: `host-${p}-${i}`, severity: "warning" },
      annotations: { summary: "bench" },
      startsAt: new Date().toISOString(),
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: randomBytes(8).toString("hex"),
    })),
  });
  const t0 = performance.now();
  await measure(`alertmanager, ${AM_BATCH} alerts/payload, sequential`, amPayloads, 1, (p) =>
    post("/api/v1/alerts/alertmanager", amPayload(p)),
  );
  const amSecs = (performance.now() - t0) / 1000;
  console.log(
    `${kind.padEnd(8)} ${"  → alerts applied per second".padEnd(46)} ${((AM_BATCH * amPayloads) / amSecs).toFixed(0)}`,
  );

  const ch = await post("/api/v1/channels", {
    name: "bench",
    type: "webhook",
    url: "http://127.0.0.1:9/hook",
  });
  const channel = (await ch.json()) as { id: string };
  await post("/api/v1/notification-rules", { channelId: channel.id, kinds: ["alert"], minSeverity: "info" });
  // No worker ran, so every 'opened' event written above still waits for dispatch.
  const [pending] = await database.execute<{ n: number }>(
    "select count(*)::int as n from incident_events where pending_dispatch",
  );
  const n = pending!.n;
  const d0 = performance.now();
  const result = await dispatchPending(deps);
  const dSecs = (performance.now() - d0) / 1000;
  console.log(
    `${kind.padEnd(8)} ${"dispatchPending (events → deliveries + jobs)".padEnd(46)} ${String(n).padStart(5)} ev   ${(result.events / dSecs).toFixed(0).padStart(6)} ev/s   ${result.enqueued} deliveries in ${dSecs.toFixed(2)} s`,
  );
  await jobs.stop(2000);
}

const pg = await openDatabase({});
await migrate(pg);
await run("pglite", pg);
await pg.close();

const admin = postgres(PG_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 });
try {
  const name = `vigil_bench_${process.pid}`;
  await admin.unsafe(`create database ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString(), poolSize: 10 });
    await migrate(database);
    await run("postgres", database, url.toString());
    await database.close();
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  }
} catch (error) {
  console.log(`postgres: skipped (${(error as Error).message})`);
} finally {
  await admin.end({ timeout: 2 });
}
