/**
 * npm run bench:monitor — one drift monitor over 1M stored predictions × 20 features on the local
 * PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), in a fresh
 * database dropped afterwards. Target: < 10 s, peak RSS < 500 MB.
 *
 * The rows are generated inside Postgres (generate_series, setseed) so the bench times the monitor,
 * not the load: 15 numerical features (normal, scaled), 5 categorical (4–12 categories), a score
 * output, spread over 8 days; the last 24 h shift f0 and add a category to c0.
 * A second run a minute later shows a scheduled run with the reference side cached.
 * Flags: --rows N (default 1000000), --cap N (sample cap, default 20000), --embedding D (adds a
 * vector feature `emb` of D normal components, the first half shifted by 0.3 in the last 24 h:
 * times the embedding drift test; default 0 = none).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createApiKey } from "../src/auth/store.ts";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { MonitorIn } from "../src/drift/monitors/model.ts";
import { runMonitor } from "../src/drift/monitors/run.ts";
import { createMonitor } from "../src/drift/monitors/store.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg("rows", 1_000_000);
const CAP = arg("cap", 20_000);
const EMB = arg("embedding", 0);
const url0 = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

const name = `vigil_bench_${randomBytes(4).toString("hex")}`;
const admin = postgres(url0, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(url0);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), poolSize: 4 });
try {
  await migrate(database);
  const { projectId } = await createApiKey(database.db, "bench");

  const numeric = Array.from({ length: 15 }, (_, i) => {
    const z = "sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())";
    const shift = i === 0 ? "(case when shifted then 1.0 else 0 end) + " : "";
    return `'f${i}', round(((${shift}${z}) * ${i + 1})::numeric, 4)`;
  });
  const categorical = Array.from({ length: 5 }, (_, i) => {
    const value = `'v' || floor(random() * ${4 + 2 * i})::int`;
    return i === 0
      ? `'c0', case when shifted and random() < 0.2 then 'new' else ${value} end`
      : `'c${i}', ${value}`;
  });
  // Correlated with the row (`shifted`), so Postgres draws a new vector per row.
  const embedding =
    EMB > 0
      ? [
          `'emb', (select jsonb_agg(round((sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
             + case when shifted and d <= ${EMB / 2} then 0.3 else 0 end)::numeric, 3))
             from generate_series(1, ${EMB}) d)`,
        ]
      : [];
  const t0 = performance.now();
  await database.execute("select setseed(0.42)");
  await database.execute(
    `insert into predictions (project_id, model, model_version, ts, features, output)
     select $1::uuid, 'bench', 'v1', ts, jsonb_build_object(${[...numeric, ...categorical, ...embedding].join(", ")}), to_jsonb(round(random()::numeric, 3))
     from (select now() - (g::float8 / $2 * interval '8 days') as ts, g <= $2 / 8 as shifted
           from generate_series(1, $2::int) g) s`,
    [projectId, ROWS],
  );
  // What autovacuum does after a bulk load: statistics, and the visibility map for index-only counts.
  await database.execute("vacuum analyze predictions");
  const loadS = (performance.now() - t0) / 1000;

  const now = new Date();
  const input = MonitorIn.parse({
    name: "bench",
    model: "bench",
    reference: {
      kind: "range",
      from: new Date(now.getTime() - 9 * 86_400_000).toISOString(),
      to: new Date(now.getTime() - 86_400_000).toISOString(),
    },
    current: { kind: "window", seconds: 86_400 },
    options: { sampleCap: CAP },
  });
  const monitor = (await createMonitor(database.db, projectId, input))!;
  const rssBefore = process.memoryUsage().rss;
  const t1 = performance.now();
  const report = await runMonitor(database.db, projectId, monitor, "manual", now);
  const runS = (performance.now() - t1) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;

  // A scheduled run a minute later: the closed reference range comes from the monitor's cache.
  const t2 = performance.now();
  const again = await runMonitor(
    database.db,
    projectId,
    monitor,
    "schedule",
    new Date(now.getTime() + 60_000),
  );
  const cachedS = (performance.now() - t2) / 1000;
  const peak2Mb = process.resourceUsage().maxRSS / 1024;
  const drifted = report.features.filter((f) => f.drifted).map((f) => f.name);
  console.log(
    `rows ${ROWS} (reference ${report.reference.rows}, current ${report.current.rows}), 20 features${EMB ? ` + a ${EMB}-dim embedding` : ""}, sample cap ${CAP}`,
  );
  console.log(`load (in-database generate) ${loadS.toFixed(1)} s`);
  console.log(`monitor run ${runS.toFixed(2)} s (target < 10 s)`);
  console.log(
    `peak RSS ${peakMb.toFixed(0)} MB (target < 500 MB); RSS before run ${(rssBefore / 2 ** 20).toFixed(0)} MB`,
  );
  console.log(
    `drifted features: ${drifted.join(", ") || "none"} (expected f0, c0); dataset drifted: ${report.drifted}`,
  );
  console.log(`sampling: ${JSON.stringify(report.sampling)}`);
  for (const e of report.embeddings ?? [])
    console.log(
      `embedding ${e.name} (${e.dimension}-dim): MMD² ${e.statistic.toExponential(3)}, p ${e.pValue.toFixed(4)}, drifted ${e.drifted}; ${e.mmd.referenceSize}+${e.mmd.currentSize} vectors (sampled ${e.mmd.sampled}); component ratio ${e.componentRatio.share.toFixed(2)}`,
    );
  console.log(
    `next run (reference cache ${again.reference.cachedAt ? "hit" : "miss"}) ${cachedS.toFixed(2)} s; peak RSS now ${peak2Mb.toFixed(0)} MB`,
  );
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 2 });
}
