/**
 * npm run bench:github — the GitHub App's PR checks end to end, on the embedded database (PGlite,
 * in memory) and on the local PostgreSQL (a fresh database, dropped afterwards), against the fake
 * GitHub API of the tests (test/github/fake-github.ts) on loopback.
 *
 * Vigil serves on a loopback socket with its job workers running, as `vigil serve` does; webhooks
 * are signed `pull_request.opened` deliveries (GitHub's example payload, adjusted). Each PR changes
 * a schema file listed in `.vigil.yml` (two breaking changes, one addition: three annotations).
 *   1. latency, paced: one webhook every PACE ms, round robin over INSTALLATIONS installations:
 *      webhook sent → `Vigil / schema` completed on the fake (GitHub's clock, the same process), and
 *      the webhook's answer time.
 *   2. latency, burst: BURST webhooks at once over the same installations (queueing, and GitHub's
 *      one-write-a-second throttle per installation).
 *   3. acceptance: ACCEPT webhooks, 16 at a time, for PRs of a repository without `.vigil.yml` —
 *      webhooks per second answered, then how fast the queue drains.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pino from "pino";
import postgres from "postgres";
import { buildApp } from "../src/app.ts";
import { createApiKey } from "../src/auth/store.ts";
import { loadConfig } from "../src/config.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { AppDeps } from "../src/deps.ts";
import { Jobs } from "../src/jobs/queue.ts";
import { createSpanWriter } from "../src/traces/store/writer.ts";
import { defineJobs } from "../src/workers.ts";
import { FakeGitHub } from "../test/github/fake-github.ts";
import { deliveryRequest, pullRequestPayload } from "../test/github/webhooks.ts";

const PG_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const PACED = Number(process.env.BENCH_GITHUB_PACED ?? 40);
const PACE = Number(process.env.BENCH_GITHUB_PACE_MS ?? 500);
const BURST = Number(process.env.BENCH_GITHUB_BURST ?? 40);
const ACCEPT = Number(process.env.BENCH_GITHUB_ACCEPT ?? 400);
const INSTALLATIONS = Number(process.env.BENCH_GITHUB_INSTALLATIONS ?? 8);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

const VIGIL_YML = "schemas:\n  - dataset: orders\n    path: schemas/orders.json\n";
const schema = (fields: [string, string, boolean][]) =>
  JSON.stringify({ fields: fields.map(([name, type, nullable]) => ({ name, type, nullable })) }, null, 2);
const BASE = schema([
  ["id", "int64", false],
  ["amount", "int64", false],
  ["status", "string", true],
  ...Array.from({ length: 40 }, (_, i): [string, string, boolean] => [`f${i}`, "string", true]),
]);
const HEAD = schema([
  ["id", "int64", false],
  ["amount", "string", false],
  ...Array.from({ length: 40 }, (_, i): [string, string, boolean] => [`f${i}`, "string", true]),
  ["note", "string", true],
]);

async function run(kind: "pglite" | "postgres", database: Database, url?: string) {
  const fake = await FakeGitHub.start();
  const log = pino({ level: "silent" });
  const config = loadConfig({ LOG_LEVEL: "silent", ...fake.env() });
  const jobs = Jobs.create(database, { log, runWorkers: true, url });
  const spanWriter = createSpanWriter(database, log, config);
  const deps: AppDeps = { config, database, log, jobs };
  defineJobs(deps);
  await jobs.start();
  await createApiKey(database.db, "bench");
  const app = buildApp(deps, { spanWriter });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repos = Array.from({ length: INSTALLATIONS }, (_, i) => `org${i}/shop`);
  repos.forEach((repo, i) => {
    fake.installation(100 + i, `org${i}`, [repo]);
    fake.commit(repo, "base", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": BASE });
  });
  fake.installation(99, "plain", ["plain/repo"]);
  fake.commit("plain/repo", "base", { "README.md": "a" });

  let pr = 0;
  /** Opens a PR on the fake and delivers its webhook; resolves with when it was sent and answered. */
  async function openPull(repo: string, installationId: number, withConfig = true) {
    const number = ++pr;
    const head = `h${number}-${randomBytes(3).toString("hex")}`;
    fake.commit(
      repo,
      head,
      withConfig ? { ".vigil.yml": VIGIL_YML, "schemas/orders.json": HEAD } : { "README.md": `${number}` },
    );
    fake.pull(repo, { number, base: "base", head });
    const payload = pullRequestPayload({
      action: "opened",
      installationId,
      repo,
      number,
      base: "base",
      head,
    });
    const { init } = await deliveryRequest({ event: "pull_request", payload, secret: fake.webhookSecret });
    const sent = performance.now();
    const res = await fetch(`${base}/github/webhooks`, init);
    const answered = performance.now();
    if (res.status !== 202) throw new Error(`webhook: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return { head, sent, answer: answered - sent };
  }
  const completedAt = async (head: string) => (await finished(head)).completedAt!;
  const finished = async (head: string) => {
    const [run] = await fake.completed(head, "Vigil / schema", 1, 300_000);
    if (run!.conclusion !== "failure" || run!.annotations.length !== 3)
      throw new Error(`unexpected run: ${run!.conclusion}, ${run!.annotations.length} annotations`);
    return run!;
  };

  // Warm-up: tokens minted, code paths compiled.
  for (let i = 0; i < INSTALLATIONS; i++) {
    const w = await openPull(repos[i]!, 100 + i);
    await completedAt(w.head);
  }
  await new Promise((r) => setTimeout(r, 1100));

  // 1. paced
  const paced: Promise<{ e2e: number; created: number; answer: number }>[] = [];
  for (let i = 0; i < PACED; i++) {
    const k = i % INSTALLATIONS;
    const sent = openPull(repos[k]!, 100 + k);
    paced.push(
      sent.then(async (s) => {
        const run = await finished(s.head);
        return { e2e: run.completedAt! - s.sent, created: run.createdAt - s.sent, answer: s.answer };
      }),
    );
    await new Promise((r) => setTimeout(r, PACE));
  }
  const p = await Promise.all(paced);
  const e2e = p.map((x) => x.e2e);
  const created = p.map((x) => x.created);
  const answers1 = p.map((x) => x.answer);
  console.log(
    `${kind.padEnd(8)} paced ${PACED} PRs (1 per ${PACE} ms, ${INSTALLATIONS} installations): ` +
      `webhook → check completed p50 ${ms(pct(e2e, 50))}, p95 ${ms(pct(e2e, 95))}, max ${ms(Math.max(...e2e))}; ` +
      `→ run in progress p50 ${ms(pct(created, 50))}, p95 ${ms(pct(created, 95))}; ` +
      `webhook answered p50 ${ms(pct(answers1, 50))}, p99 ${ms(pct(answers1, 99))}`,
  );
  await new Promise((r) => setTimeout(r, 1100));

  // 2. burst
  const burst = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const k = i % INSTALLATIONS;
      const s = await openPull(repos[k]!, 100 + k);
      return (await completedAt(s.head)) - s.sent;
    }),
  );
  console.log(
    `${kind.padEnd(8)} burst ${BURST} PRs at once (${INSTALLATIONS} installations): webhook → check completed p50 ${ms(pct(burst, 50))}, p95 ${ms(pct(burst, 95))}, max ${ms(Math.max(...burst))}`,
  );

  // 3. acceptance
  const answers: number[] = [];
  let next = 0;
  const started = performance.now();
  const heads: string[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ACCEPT) {
        next++;
        const s = await openPull("plain/repo", 99, false);
        answers.push(s.answer);
        heads.push(s.head);
      }
    }),
  );
  const acceptSecs = (performance.now() - started) / 1000;
  const drained = await fake.waitFor(
    async () => {
      const rows = await database.execute<{ n: number }>(
        "select count(*)::int as n from github_webhook_deliveries where status = 'queued'",
      );
      return Number(rows[0]!.n) === 0 ? performance.now() : undefined;
    },
    600_000,
    "the queue to drain",
  );
  console.log(
    `${kind.padEnd(8)} accept ${ACCEPT} webhooks, 16 at a time: ${(ACCEPT / acceptSecs).toFixed(0)} webhooks/s answered (p50 ${ms(pct(answers, 50))}, p99 ${ms(pct(answers, 99))}); all worked ${((drained - started) / 1000).toFixed(1)} s after the first (${(ACCEPT / ((drained - started) / 1000)).toFixed(0)} deliveries/s)`,
  );
  if (fake.violations.length)
    throw new Error(`GitHub API violations: ${fake.violations.slice(0, 3).join("; ")}`);

  server.close();
  await jobs.stop(5000);
  await fake.close();
}

async function main() {
  console.log(`bench:github — node ${process.version}`);
  const pglite = await openDatabase({});
  await migrate(pglite);
  await run("pglite", pglite);
  await pglite.close();

  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  const name = `vigil_bench_github_${randomBytes(4).toString("hex")}`;
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    console.log(`postgres skipped: ${(error as Error).message}`);
    await admin.end();
    return;
  }
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const database = await openDatabase({ url: u.toString(), poolSize: 5 });
  try {
    await migrate(database);
    await run("postgres", database, u.toString());
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
