import { createRequire } from "node:module";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { decodeProtobufResponse } from "../../src/traces/otlp/protobuf.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { hexId, nowNs } from "../traces/otlp-builders.ts";
import { recordRun } from "./ledger.ts";

/**
 * Hostile OTLP protobuf: bodies truncated, bit-flipped, with bytes spliced in, and spans carrying
 * extreme numbers (times near 2^64−1, ends before starts, counts and flags at their type's limit).
 * Whatever the receiver answers, a 200 is a promise: every span it did not report as rejected is
 * stored, once, and nothing is left stuck in the queue.
 */

// The official opentelemetry-proto definitions the receiver decodes with (src/traces/otlp/protobuf.ts).
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: pbjs static code ships no typings for its namespaces
const root: any = require("otlp-transformer-protobufjs/build/src/generated/root.js");
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const REQUESTS = 1000;
const SPANS_PER_REQUEST = 10;
const U64_MAX = "18446744073709551615";

/** A small seeded PRNG (mulberry32): a failing run can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
type Rng = ReturnType<typeof prng>;

/** One span with fresh ids; now and then a field at an extreme a receiver must bound. */
function hostileSpan(rng: Rng) {
  const start = nowNs() - BigInt(1 + rng.int(60_000)) * 1_000_000n;
  const s: Record<string, unknown> = {
    traceId: Buffer.from(hexId(16), "hex"),
    spanId: Buffer.from(hexId(8), "hex"),
    name: "POST /score",
    kind: 2,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 2_000_000n).toString(),
    attributes: [{ key: "http.method", value: { stringValue: "POST" } }],
    events: [{ name: "retry", timeUnixNano: start.toString(), attributes: [] }],
  };
  const extremes: (() => void)[] = [
    () => (s.endTimeUnixNano = U64_MAX),
    () => (s.startTimeUnixNano = U64_MAX),
    () => (s.startTimeUnixNano = "9223372036854775808"), // 2^63: past a signed bigint
    () => (s.endTimeUnixNano = (start - 1_000_000_000n).toString()), // a negative duration
    () => (s.endTimeUnixNano = "0"),
    () => ((s.events as { timeUnixNano: string }[])[0]!.timeUnixNano = U64_MAX),
    () => (s.droppedAttributesCount = 4294967295),
    () => (s.droppedEventsCount = 4294967295),
    () => (s.droppedLinksCount = 4294967295),
    () => (s.flags = 4294967295),
    () => (s.kind = 2147483647),
    () => (s.kind = -1),
    () => (s.status = { code: 2147483647, message: "x" }),
    () =>
      (s.attributes = [
        { key: "big", value: { intValue: "9223372036854775807" } },
        { key: "small", value: { intValue: "-9223372036854775808" } },
        { key: "nan", value: { doubleValue: Number.NaN } },
        { key: "inf", value: { doubleValue: Number.NEGATIVE_INFINITY } },
      ]),
    () =>
      (s.links = [
        { traceId: Buffer.from(hexId(16), "hex"), spanId: Buffer.from(hexId(8), "hex"), flags: 4294967295 },
      ]),
  ];
  if (rng.next() < 0.3) extremes[rng.int(extremes.length)]!();
  return s;
}

function requestBytes(rng: Rng): Uint8Array {
  const spans = Array.from({ length: SPANS_PER_REQUEST }, () => hostileSpan(rng));
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "scorer" } }] },
        scopeSpans: [{ scope: { name: "mutations", version: "1" }, spans }],
      },
    ],
  };
  return Request.encode(Request.fromObject(request)).finish();
}

/** Truncated, bit-flipped, spliced — or left whole, so the extreme numbers alone are tried too. */
function mutate(bytes: Uint8Array, rng: Rng): { body: Uint8Array; how: string } {
  const body = Uint8Array.from(bytes);
  switch (rng.int(4)) {
    case 0:
      return { body: body.subarray(0, rng.int(body.length)), how: "truncated" };
    case 1: {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) body[rng.int(body.length)]! ^= 1 << rng.int(8);
      return { body, how: "bit-flipped" };
    }
    case 2: {
      const at = rng.int(body.length);
      const junk = Uint8Array.from({ length: 1 + rng.int(6) }, () => rng.int(256));
      const out = new Uint8Array(body.length + junk.length);
      out.set(body.subarray(0, at));
      out.set(junk, at);
      out.set(body.subarray(at), at + junk.length);
      return { body: out, how: "spliced" };
    }
    default:
      return { body, how: "whole" };
  }
}

/** How many spans the bytes hold as the official definitions decode them; undefined if they do not. */
function spanCount(body: Uint8Array): number | undefined {
  try {
    const decoded = Request.decode(body) as {
      resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
    };
    let n = 0;
    for (const rs of decoded.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
    return n;
  } catch {
    return undefined;
  }
}

describeEachDatabase("OTLP mutations", (db) => {
  const t = useApp(db);

  it(`${REQUESTS} hostile exports: no 5xx; each 200 stores every span it did not reject, once`, async () => {
    const seed = Number(process.env.VIGIL_MUTATION_SEED || Date.now() % 2 ** 31);
    const rng = prng(seed);
    const statuses = new Map<number, number>();
    let sent = 0;
    let acked = 0;
    let fiveXX = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const { body, how } = mutate(requestBytes(rng), rng);
      const count = spanCount(body);
      sent += count ?? 0;
      const res = await t.request("/v1/traces", {
        method: "POST",
        body,
        headers: { "content-type": "application/x-protobuf" },
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `seed ${seed}, request ${i} (${how})`;
      if (res.status >= 500) {
        fiveXX++;
        continue;
      }
      if (res.status !== 200) {
        expect(res.status, where).toBe(400);
        continue;
      }
      // Acknowledged: the bytes must be a request the official definitions decode.
      expect(count, where).toBeDefined();
      const answer = decodeProtobufResponse(new Uint8Array(await res.arrayBuffer()));
      const rejected = Number(answer.partialSuccess?.rejectedSpans ?? 0);
      expect(rejected, where).toBeLessThanOrEqual(count!);
      acked += count! - rejected;
    }

    await t.spansWritten();
    const [row] = await db.database.query<{ stored: number; distinct: number }>(
      sql`select count(*)::int as stored, count(distinct (trace_id, span_id))::int as distinct
          from spans where project_id = ${t.projectId}::uuid`,
    );
    const [queued] = await db.database.query<{ n: number }>(
      sql`select count(*)::int as n from span_batches where project_id = ${t.projectId}::uuid`,
    );
    const failed = (await (await t.request("/api/v1/span-batches")).json()) as { batches: unknown[] };
    const stored = row!.stored;
    const duplicated = stored - row!.distinct;
    recordRun({
      test: `OTLP mutations [${db.kind}]`,
      load: `${REQUESTS} protobuf exports × ${SPANS_PER_REQUEST} spans`,
      faults: "truncated, bit-flipped, spliced, extreme numbers",
      sent,
      acked,
      stored,
      lost: Math.max(0, acked - row!.distinct),
      duplicated,
      fiveXX,
    });
    const summary = `seed ${seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
    expect(fiveXX, summary).toBe(0);
    // Some of each: the mutations reach both the decoder's refusals and the validator's bounds.
    expect(statuses.get(200), summary).toBeGreaterThan(0);
    expect(statuses.get(400), summary).toBeGreaterThan(0);
    expect(failed.batches, summary).toEqual([]);
    expect(queued!.n, summary).toBe(0);
    expect(duplicated, summary).toBe(0);
    expect(stored, summary).toBe(acked);
  });
});
