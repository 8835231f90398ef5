/**
 * `npm run bench:ui`: server time per web UI page on the demo data. Starts Vigil as `vigil serve`
 * does (a fresh embedded database, or with --postgres a fresh database on the local server), plays
 * the `vigil demo` story through the public API, signs in, and requests each page N times over
 * loopback HTTP (the time to the last byte: the server's work plus a loopback round trip).
 * Prints p50/p95 per page and the ratio to the 200 ms target; as a baseline in the same run, the
 * JSON API call that reads the most for each page.
 *   --runs N (default 30)  --postgres (the local server, TEST_DATABASE_URL or 127.0.0.1:5432)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import postgres from "postgres";
import { loadConfig } from "../src/config.ts";
import { playDemo } from "../src/demo/story.ts";
import { startService } from "../src/main.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "30" }, postgres: { type: "boolean" } },
});
const RUNS = Number(values.runs);
const TARGET_MS = 200;

const dataDir = mkdtempSync(join(tmpdir(), "vigil-bench-ui-"));
let dropDatabase = async () => {};
let databaseUrl: string | undefined;
if (values.postgres) {
  const adminUrl = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `vigil_bench_ui_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

const config = loadConfig({
  VIGIL_DATA_DIR: dataDir,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  VIGIL_RUN_JOBS: "true",
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});
const service = await startService(config, pino({ level: "silent" }));
const base = `http://127.0.0.1:${service.port}`;
const key = service.createdKey!;
try {
  const t0 = performance.now();
  const demo = await playDemo({ baseUrl: base, apiKey: key });
  console.log(
    `engine: ${databaseUrl ? "PostgreSQL" : "PGlite"}; demo played in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log(
    `demo data: ${demo.traces.requests} traced requests (${demo.traces.spans} spans), ${demo.predictions.inserted} predictions, ` +
      `${demo.monitor.reportIds.length} drift reports, ${demo.lineage.datasets.length} datasets, ${demo.documents.ids.length} runbooks`,
  );

  const signIn = await fetch(`${base}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key }),
  });
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  const headers = { cookie };
  const apiHeaders = { authorization: `Bearer ${key}` };

  const incident = demo.incidents.exception ?? demo.incidents.schema[0];
  const dataset = demo.lineage.breakingDatasets[0] ?? demo.lineage.datasets[0]!;
  const pages: Array<[string, string, string]> = [
    ["overview", "/", "/api/v1/incidents?status=open&limit=500"],
    ["incidents", "/incidents", "/api/v1/incidents?limit=50"],
    ["incident", `/incidents/${incident}`, `/api/v1/incidents/${incident}`],
    [
      "traces",
      "/traces?hours=3",
      `/api/v1/traces?limit=50&from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`,
    ],
    [
      "trace",
      `/traces/${demo.traces.exceptionTraceIds[0]}`,
      `/api/v1/traces/${demo.traces.exceptionTraceIds[0]}`,
    ],
    ["monitors", "/monitors", "/api/v1/monitors"],
    ["monitor", `/monitors/${demo.monitor.id}`, `/api/v1/reports?monitorId=${demo.monitor.id}&limit=50`],
    [
      "report",
      `/reports/${demo.monitor.reportIds.at(-1)}`,
      `/api/v1/reports/${demo.monitor.reportIds.at(-1)}`,
    ],
    ["datasets", "/datasets", "/api/v1/datasets?limit=100"],
    [
      "dataset",
      `/datasets/${encodeURIComponent(dataset)}?namespace=${encodeURIComponent(demo.lineage.namespace)}`,
      `/api/v1/datasets/${encodeURIComponent(dataset)}/changes?namespace=${encodeURIComponent(demo.lineage.namespace)}`,
    ],
    ["retraining", "/retraining", "/api/v1/retraining?limit=50"],
    ["ask", "/ask?q=payment+gateway+timeouts", "/api/v1/documents?limit=1"],
  ];

  const time = async (path: string, h: Record<string, string>) => {
    const start = performance.now();
    const res = await fetch(base + path, { headers: h });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return performance.now() - start;
  };
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  };

  console.log(`\n${RUNS} requests per page, one at a time, after 2 warm-up requests\n`);
  console.log("page        p50 ms   p95 ms   p95/target   its main API call p50 ms");
  const rows: Array<{ page: string; p50: number; p95: number }> = [];
  for (const [name, path, apiPath] of pages) {
    for (let i = 0; i < 2; i++) await time(path, headers);
    const ui: number[] = [];
    const api: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ui.push(await time(path, headers));
      api.push(await time(apiPath, apiHeaders));
    }
    const row = { page: name, p50: pct(ui, 50), p95: pct(ui, 95) };
    rows.push(row);
    console.log(
      `${name.padEnd(11)} ${row.p50.toFixed(1).padStart(6)}   ${row.p95.toFixed(1).padStart(6)}   ${(row.p95 / TARGET_MS).toFixed(2).padStart(9)}×   ${pct(api, 50).toFixed(1).padStart(8)}`,
    );
  }
  const worst = rows.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  console.log(`\nslowest p95: ${worst.page} ${worst.p95.toFixed(1)} ms (target < ${TARGET_MS} ms per page)`);
} finally {
  await service.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase();
}
