/**
 * Schema snapshots, OpenLineage ingestion and impact queries on both engines.
 * Usage: npm run bench:schemas [-- --layers 8 --width 50 --fields 20]
 * Prints figures; record them in bench/README.md ("Schemas and lineage").
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createApiKey } from "../src/auth/store.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { impactOf } from "../src/schemas/impact-store.ts";
import { ingestLineageEvents, ingestSnapshot } from "../src/schemas/ingest.ts";
import { declareModelInputs } from "../src/schemas/lineage-store.ts";
import { normalizeSchema } from "../src/schemas/normalize.ts";
import { findDataset } from "../src/schemas/store.ts";

const { values } = parseArgs({
  options: {
    layers: { type: "string", default: "8" },
    width: { type: "string", default: "50" },
    fields: { type: "string", default: "20" },
    snapshots: { type: "string", default: "300" },
    url: {
      type: "string",
      default: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    },
  },
});
const LAYERS = Number(values.layers);
const WIDTH = Number(values.width);
const FIELDS = Number(values.fields);
const SNAPSHOTS = Number(values.snapshots);
const NS = "postgres://bench:5432";

// A seeded generator so both engines get the same graph.
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = (n: number) => Math.floor(rand() * n);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

function vigilSchema(n: number, variant: number) {
  return {
    fields: Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      type: i === 0 && variant > 0 ? "int" : i % 3 === 0 ? "bigint" : i % 3 === 1 ? "text" : "double",
      nullable: i !== 0,
    })),
  };
}

function layeredEvents() {
  const name = (layer: number, i: number) => `l${layer}.d${i}`;
  const facet = { _producer: "bench", _schemaURL: "bench" };
  const schema = {
    ...facet,
    fields: Array.from({ length: FIELDS }, (_, i) => ({ name: `f${i}`, type: "BIGINT" })),
  };
  const events: unknown[] = [];
  let n = 0;
  for (let layer = 1; layer < LAYERS; layer++)
    for (let i = 0; i < WIDTH; i++) {
      const a = name(layer - 1, pick(WIDTH));
      const b = name(layer - 1, pick(WIDTH));
      const fields = Object.fromEntries(
        Array.from({ length: FIELDS }, (_, f) => [
          `f${f}`,
          {
            inputFields: [
              { namespace: NS, name: a, field: `f${f}` },
              { namespace: NS, name: b, field: `f${(f + 1) % FIELDS}` },
            ],
          },
        ]),
      );
      n++;
      events.push({
        eventType: "COMPLETE",
        eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
        producer: "bench",
        run: { runId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` },
        job: { namespace: "bench", name: `job.${layer}.${i}` },
        inputs: [
          { namespace: NS, name: a, facets: { schema } },
          { namespace: NS, name: b, facets: { schema } },
        ],
        outputs: [
          { namespace: NS, name: name(layer, i), facets: { schema, columnLineage: { ...facet, fields } } },
        ],
      });
    }
  return events;
}

async function run(kind: "pglite" | "postgres") {
  let database: Database;
  let drop = async () => {};
  if (kind === "pglite") database = await openDatabase({});
  else {
    const dbName = `vigil_bench_${randomBytes(4).toString("hex")}`;
    const admin = postgres(values.url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(values.url!);
    url.pathname = `/${dbName}`;
    database = await openDatabase({ url: url.toString(), poolSize: 4 });
    drop = async () => {
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end({ timeout: 2 });
    };
  }
  try {
    await migrate(database);
    const { projectId } = await createApiKey(database.db, "bench");
    console.log(`\n## ${kind}`);

    // 1. Snapshots: new datasets, unchanged re-posts, breaking new versions (with incident).
    const time = async (label: string, count: number, f: (i: number) => Promise<unknown>) => {
      const lat: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const s = performance.now();
        await f(i);
        lat.push(performance.now() - s);
      }
      const total = performance.now() - t0;
      console.log(
        `${label}: ${count} in ${(total / 1000).toFixed(2)} s = ${((count / total) * 1000).toFixed(0)}/s, p50 ${ms(pct(lat, 50))}, p95 ${ms(pct(lat, 95))}`,
      );
    };
    const v0 = normalizeSchema(vigilSchema(50, 0));
    const v1 = normalizeSchema(vigilSchema(50, 1));
    await time("snapshot, new dataset (50 fields)", SNAPSHOTS, (i) =>
      ingestSnapshot(database, projectId, { namespace: "default", name: `snap.${i}` }, v0),
    );
    await time("snapshot, same content (no new version)", SNAPSHOTS, (i) =>
      ingestSnapshot(database, projectId, { namespace: "default", name: `snap.${i}` }, v0),
    );
    await time("snapshot, breaking change (version + diff + incident)", SNAPSHOTS, (i) =>
      ingestSnapshot(database, projectId, { namespace: "default", name: `snap.${i}` }, v1),
    );

    // 2. OpenLineage: a layered graph, one event per request as clients send them.
    seed = 42;
    const events = layeredEvents();
    await time(
      `OpenLineage RunEvent (2 inputs, 1 output, ${FIELDS} fields, ${FIELDS * 2} column edges)`,
      events.length,
      (i) => ingestLineageEvents(database, projectId, [events[i]]),
    );
    // A model at the end of every last-layer dataset.
    for (let i = 0; i < WIDTH; i++)
      await declareModelInputs(database.db, projectId, `model.${i}`, [
        { dataset: `l${LAYERS - 1}.d${i}`, namespace: NS, fields: ["f0", "f1"] },
      ]);

    // 3. Impact from the first layer.
    const [edges] = await database.execute<{ n: string }>("select count(*)::text as n from lineage_edges");
    console.log(`graph: ${LAYERS} layers x ${WIDTH} datasets, ${events.length} jobs, ${edges!.n} edges`);
    const src = await findDataset(database.db, projectId, "l0.d0", NS);
    for (const fields of [["f0"], [] as string[]]) {
      const lat: number[] = [];
      let last = { impacted: [] as unknown[], truncated: false };
      for (let i = 0; i < 30; i++) {
        const s = performance.now();
        last = await impactOf(database.db, projectId, src.id, fields);
        lat.push(performance.now() - s);
      }
      console.log(
        `impact ${fields.length ? `fields=${fields}` : "(whole dataset)"}: ${last.impacted.length} nodes, truncated ${last.truncated}, p50 ${ms(pct(lat, 50))}, p95 ${ms(pct(lat, 95))}`,
      );
    }
  } finally {
    await database.close();
    await drop();
  }
}

console.log(
  `bench: schemas & lineage — layers ${LAYERS}, width ${WIDTH}, fields ${FIELDS}, snapshots ${SNAPSHOTS}`,
);
await run("pglite");
await run("postgres");
