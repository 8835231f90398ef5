import pino from "pino";
import { beforeAll, expect, it } from "vitest";
import { createApiKey } from "../../../src/auth/store.ts";
import { DomainError } from "../../../src/lib/errors.ts";
import { partitionName } from "../../../src/traces/store/partitions.ts";
import { SpanWriter } from "../../../src/traces/store/writer.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { hexId, nowNs, queueExport, type Span, span } from "../otlp-builders.ts";

const log = pino({ level: "silent" });

const failing = (traceId: string) =>
  span({
    traceId,
    events: [
      {
        name: "exception",
        attributes: {
          "exception.type": "TimeoutError",
          "exception.message": "upstream timed out",
          "exception.stacktrace": "TimeoutError: upstream timed out\n    at call (/srv/app/client.js:10:5)",
        },
      },
    ],
  });

describeEachDatabase("span writer (queued OTLP batches → span store)", (db) => {
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createApiKey(db.database.db, "writer")).projectId;
  });

  const writer = (options: Partial<ConstructorParameters<typeof SpanWriter>[2]> = {}) =>
    new SpanWriter(db.database, log, { writers: 2, queueSpans: 100_000, pollMs: 50, ...options });
  /** Queues spans as the receiver does (a writer not started writes nothing). */
  const queue = (into: SpanWriter, spans: Span[]) => queueExport(into, projectId, spans, "shop");
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await db.database.execute<{ n: number | string }>(sql, params))[0]!.n);
  const spansOf = (traceId: string) =>
    count("select count(*) as n from spans where trace_id = $1", [traceId]);
  const queued = () => count("select count(*) as n from span_batches where attempts < 5");

  it("writes what an earlier process queued and never wrote (a crash after the 200), exactly once", async () => {
    const traceId = hexId(16);
    const batch = [failing(traceId), span({ traceId }), span({ traceId })];
    const crashed = writer(); // never started: as if the process died after answering
    await queue(crashed, batch);
    await queue(crashed, batch); // the client retried the same batch
    expect(await queued()).toBe(2);
    expect(await spansOf(traceId)).toBe(0);

    const next = writer();
    next.start();
    await next.idle();
    await next.stop();
    expect(await spansOf(traceId)).toBe(3);
    expect(await queued()).toBe(0);
    const [incident] = await db.database.execute<{ count: number }>(
      "select count from incidents where project_id = $1 and kind = 'exception' and title like 'TimeoutError%'",
      [projectId],
    );
    expect(incident?.count).toBe(1); // the retried copy counted nothing twice
  });

  it("two writers share a queue without writing a batch twice", async () => {
    const traceIds = Array.from({ length: 12 }, () => hexId(16));
    const idle = writer();
    for (const traceId of traceIds) await queue(idle, [failing(traceId), span({ traceId })]);
    const before = await db.database.execute<{ count: number }>(
      "select count from incidents where project_id = $1 and title like 'TimeoutError%'",
      [projectId],
    );
    const [a, b] = [writer({ claim: 1 }), writer({ claim: 1 })];
    a.start();
    b.start();
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.stop(), b.stop()]);
    for (const traceId of traceIds) expect(await spansOf(traceId)).toBe(2);
    const [after] = await db.database.execute<{ count: number }>(
      "select count from incidents where project_id = $1 and title like 'TimeoutError%'",
      [projectId],
    );
    expect(after!.count - before[0]!.count).toBe(12);
  });

  it("a batch that cannot be written is retried with backoff, then kept with its error; the others are written", async () => {
    const q = writer();
    const good = hexId(16);
    await queue(q, [span({ traceId: good })]);
    // A row no receiver would queue: its rows are not JSON.
    await db.database.execute(
      `insert into span_batches (project_id, span_count, days, rows, resources)
       values ($1, 1, array[to_char(now() at time zone 'UTC', 'YYYY-MM-DD')], 'not json', '[]')`,
      [projectId],
    );
    const later = hexId(16);
    await queue(q, [span({ traceId: later })]);

    const w = writer({ maxAttempts: 3, backoffMs: 20 });
    w.start();
    await w.idle();
    // The good batches did not wait for the bad one's retries.
    expect(await spansOf(good)).toBe(1);
    expect(await spansOf(later)).toBe(1);
    const bad = () =>
      db.database.execute<{ attempts: number; last_error: string }>(
        "select attempts, last_error from span_batches where rows = 'not json'",
      );
    expect((await bad())[0]!.attempts).toBeLessThan(3); // backing off, not retried back to back
    const deadline = Date.now() + 10_000;
    while ((await bad())[0]!.attempts < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // past another backoff: a fourth attempt would show
    await w.stop();
    expect(await bad()).toEqual([{ attempts: 3, last_error: expect.stringMatching(/json/i) }]);
    await db.database.execute("delete from span_batches where rows = 'not json'");
  });

  it("an exception message with a NUL is written (the NUL dropped) with its incident, not left failing", async () => {
    const w = writer();
    const traceId = hexId(16);
    const nul = span({
      traceId,
      events: [
        {
          name: "exception",
          attributes: { "exception.type": "NulError", "exception.message": "bad\u0000byte" },
        },
      ],
    });
    await queue(w, [nul]);
    w.start();
    await w.idle();
    await w.stop();
    expect(await spansOf(traceId)).toBe(1);
    const [incident] = await db.database.execute<{ title: string }>(
      "select title from incidents where project_id = $1 and title like 'NulError%'",
      [projectId],
    );
    expect(incident?.title).toBe("NulError: badbyte");
    expect(await queued()).toBe(0);
  });

  it("a day partition dropped while its batch was queued is created again", async () => {
    const w = writer();
    const traceId = hexId(16);
    const startNs = nowNs() - 3n * 86_400_000_000_000n; // three days ago: kept by retention
    await queue(w, [span({ traceId, startNs })]); // creates the partition and remembers it
    const day = new Date(Math.floor(Number(startNs / 1_000_000n) / 86_400_000) * 86_400_000);
    await db.database.execute(`drop table ${partitionName(day)}`);
    w.start();
    await w.idle();
    await w.stop();
    expect(await spansOf(traceId)).toBe(1);
  });

  it("refuses with 429 + Retry-After past the queue limit, and takes batches again once written", async () => {
    const w = writer({ queueSpans: 5 });
    await queue(w, [span(), span(), span()]);
    const refused = await queue(w, [span(), span(), span()]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: "busy", retryAfter: 1 }); // the API answers 429
    w.start();
    await w.idle();
    await expect(queue(w, [span(), span(), span()])).resolves.toMatchObject({ batch: { count: 3 } });
    await w.idle();
    await w.stop();
    expect(await queued()).toBe(0);
  });
});
