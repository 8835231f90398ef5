import pino from "pino";
import { beforeAll, expect, it } from "vitest";
import { createApiKey } from "../../../src/auth/store.ts";
import { dropExpiredPartitions } from "../../../src/traces/store/partitions.ts";
import { traceSpans } from "../../../src/traces/store/queries.ts";
import { SpanWriter } from "../../../src/traces/store/writer.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { hexId, nowNs, queueExport, type Span, span } from "../otlp-builders.ts";

const log = pino({ level: "silent" });
const DAY_NS = 86_400_000_000_000n;

describeEachDatabase("span resources (a span's resource and scope, stored once a day)", (db) => {
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createApiKey(db.database.db, "resources")).projectId;
  });

  const write = async (exports: { spans: Span[]; service: string }[]) => {
    const writer = new SpanWriter(db.database, log, { writers: 1, queueSpans: 100_000, pollMs: 50 });
    for (const { spans, service } of exports) await queueExport(writer, projectId, spans, service);
    writer.start();
    await writer.idle();
    await writer.stop();
  };
  const resourceRows = (service: string) =>
    db.database.execute<{ day: string; resource: unknown; scope: unknown }>(
      `select to_char(day, 'YYYY-MM-DD') as day, resource, scope from span_resources
        where project_id = $1 and resource->>'service.name' = $2 order by day`,
      [projectId, service],
    );
  const utcDay = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);

  it("spans of many exports share one resource row per UTC day; the API shows resource and scope", async () => {
    const traceId = hexId(16);
    const today = nowNs() - 1_000_000_000n;
    const yesterday = today - DAY_NS;
    await write([
      { spans: [span({ traceId, startNs: today }), span({ traceId, startNs: yesterday })], service: "cart" },
      { spans: [span({ traceId, startNs: today + 1000n })], service: "cart" },
    ]);
    expect(await resourceRows("cart")).toEqual([
      {
        day: utcDay(yesterday),
        resource: { "service.name": "cart" },
        scope: { name: "test", version: "1.0" },
      },
      { day: utcDay(today), resource: { "service.name": "cart" }, scope: { name: "test", version: "1.0" } },
    ]);
    const stored = await db.database.execute<{ inline: number | string; keyed: number | string }>(
      `select count(*) filter (where resource is not null or scope is not null) as inline,
              count(distinct resource_id) as keyed
         from spans where project_id = $1 and trace_id = $2`,
      [projectId, traceId],
    );
    expect(stored.map((r) => [Number(r.inline), Number(r.keyed)])).toEqual([[0, 1]]);
    const spans = await traceSpans(db.database, projectId, traceId);
    expect(spans).toHaveLength(3);
    for (const s of spans) {
      expect(s.resource).toEqual({ "service.name": "cart" });
      expect(s.scope).toEqual({ name: "test", version: "1.0" });
      expect(s.dropped).toEqual({ attributes: 0, events: 0, links: 0 });
    }
  });

  it("a batch an earlier Vigil queued (format 1, resource and scope inline) is written with both", async () => {
    const traceId = hexId(16);
    const spanId = hexId(8);
    const start = nowNs() - 2_000_000_000n;
    // Layout 1: …, flags, scope, attributes, resource index, events, links, dropped.
    const row = [
      traceId,
      spanId,
      null,
      start.toString(),
      "1500",
      "GET /old",
      2,
      "legacy",
      0,
      null,
      null,
      null,
      { name: "old-scope" },
      { "http.method": "GET" },
      0,
      [],
      [],
      { attributes: 1, events: 0, links: 0 },
    ];
    await db.database.execute(
      `insert into span_batches (project_id, span_count, days, rows, resources, format)
       values ($1, 1, array[$2], $3, $4, 1)`,
      [projectId, utcDay(start), JSON.stringify([row]), JSON.stringify([{ "service.name": "legacy" }])],
    );
    await write([]);
    const [s] = await traceSpans(db.database, projectId, traceId);
    expect(s).toMatchObject({
      spanId,
      service: "legacy",
      resource: { "service.name": "legacy" },
      scope: { name: "old-scope" },
      attributes: { "http.method": "GET" },
      dropped: { attributes: 1, events: 0, links: 0 },
    });
    expect(await db.database.execute("select id from span_batches")).toEqual([]);
  });

  it("retention drops a day's resources with its partition and keeps the others", async () => {
    const traceId = hexId(16);
    const today = nowNs() - 1_000_000_000n;
    await write([
      {
        spans: [span({ traceId, startNs: today }), span({ traceId, startNs: today - DAY_NS })],
        service: "kept",
      },
    ]);
    // One day of retention, an hour into tomorrow: yesterday's partition ended before the cutoff.
    const tomorrow = new Date(`${utcDay(today + DAY_NS)}T01:00:00Z`);
    await dropExpiredPartitions(db.database, 1, tomorrow);
    expect((await resourceRows("kept")).map((r) => r.day)).toEqual([utcDay(today)]);
    const spans = await traceSpans(db.database, projectId, traceId);
    expect(spans.map((s) => s.resource)).toEqual([{ "service.name": "kept" }]);
  });
});
