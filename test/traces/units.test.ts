import { describe, expect, it } from "vitest";
import { Gate } from "../../src/traces/gate.ts";
import { decodeJsonRequest } from "../../src/traces/otlp-json.ts";
import { daysOf, partitionDay, partitionName } from "../../src/traces/partitions.ts";
import { batchRows, isoMicros, SPAN_COLUMNS } from "../../src/traces/store.ts";
import { spanTree } from "../../src/traces/tree.ts";
import { validateSpans } from "../../src/traces/validate.ts";
import { jsonRequest, nowNs, span } from "./otlp-builders.ts";

describe("OTLP/JSON mapping", () => {
  it("reads hex ids (any case), int64 strings, enum names, nested values; ignores unknown fields", () => {
    const s = span({ attributes: { n: 3 } });
    const req = jsonRequest([s]) as unknown as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const raw = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    raw.traceId = (raw.traceId as string).toUpperCase();
    raw.kind = "SPAN_KIND_CONSUMER";
    raw.somethingNew = { x: 1 };
    (raw.attributes as unknown[]).push(
      { key: "big", value: { intValue: "9007199254740993" } },
      { key: "list", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 2 }] } } },
      { key: "map", value: { kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } } },
      { key: "nan", value: { doubleValue: "NaN" } },
      { key: "empty" },
    );
    const { spans, malformed } = decodeJsonRequest(req);
    expect(malformed).toEqual([]);
    expect(spans[0]).toMatchObject({
      traceId: s.traceId,
      kind: 5,
      startNs: s.startNs,
      attributes: {
        n: 3,
        big: "9007199254740993",
        list: ["a", 2],
        map: { k: true },
        nan: "NaN",
        empty: null,
      },
    });
  });
});

describe("validation", () => {
  const opts = { nowNs: nowNs(), retentionDays: 7 };
  it("keeps valid spans, names the service, counts each reason", () => {
    const decoded = decodeJsonRequest(
      jsonRequest([span(), span({ name: "" }), span({ name: "" })], "svc"),
    ).spans;
    const v = validateSpans(decoded, opts);
    expect(v.records).toHaveLength(1);
    expect(v.records[0]!.service).toBe("svc");
    expect(v.rejected).toBe(2);
    expect(v.errorMessage).toBe("2 spans rejected: 2 × missing span name");
  });
  it("spans without service.name belong to unknown_service; future spans are rejected", () => {
    const req = jsonRequest([span(), span({ startNs: opts.nowNs + 2n * 86_400_000_000_000n })]);
    req.resourceSpans[0]!.resource.attributes = [];
    const v = validateSpans(decodeJsonRequest(req).spans, opts);
    expect(v.records.map((r) => r.service)).toEqual(["unknown_service"]);
    expect(v.errorMessage).toMatch(/future/);
  });
});

describe("store encoding", () => {
  it("timestamps keep microseconds; NUL and lone surrogates cannot reach Postgres", () => {
    expect(isoMicros(1_795_514_090_925_123_456n)).toBe("2026-11-24T09:54:50.925123Z");
    const decoded = decodeJsonRequest(
      jsonRequest([span({ name: "a\u0000b", attributes: { k: "x\ud800y" } })]),
    ).spans;
    const records = validateSpans(decoded, { nowNs: nowNs(), retentionDays: 7 }).records;
    const row = batchRows("00000000-0000-4000-8000-000000000001", records).rows.split("\t");
    expect(row[SPAN_COLUMNS.indexOf("name")]).toBe("ab");
    expect(JSON.parse(row[SPAN_COLUMNS.indexOf("attributes")]!).k).toBe("x\ufffdy");
  });
});

describe("partitions", () => {
  it("names and days", () => {
    const day = new Date("2026-11-24T00:00:00Z");
    expect(partitionName(new Date("2026-11-24T23:59:59Z"))).toBe("spans_p20261124");
    expect(partitionDay("spans_p20261124")).toEqual(day);
    expect(partitionDay("spans")).toBeUndefined();
    const ns = BigInt(day.getTime()) * 1_000_000n;
    expect(daysOf([ns, ns + 1n, ns - 1n])).toEqual([new Date("2026-11-23T00:00:00Z"), day]);
  });
});

describe("span tree", () => {
  it("depth-first, siblings by start, orphans and cycles become roots", () => {
    const s = (spanId: string, parentSpanId: string | null, startNs: bigint) => ({
      spanId,
      parentSpanId,
      startNs,
    });
    const { roots, ordered } = spanTree([
      s("c2", "r", 30n),
      s("r", null, 0n),
      s("c1", "r", 10n),
      s("g", "c1", 20n),
      s("orphan", "missing", 5n),
      s("x", "y", 1n),
      s("y", "x", 2n),
    ]);
    expect(roots).toEqual(["r", "orphan"]);
    expect(ordered.map((o) => `${o.spanId}:${o.depth}`)).toEqual([
      "r:0",
      "c1:1",
      "g:2",
      "c2:1",
      "orphan:0",
      "x:0",
      "y:0",
    ]);
    expect(ordered[0]!.children).toEqual(["c1", "c2"]);
  });
});

describe("gate", () => {
  it("runs up to the limit, queues a few, refuses the rest with 429 + Retry-After", async () => {
    const gate = new Gate(1, 1);
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const first = gate.run(() => blocked);
    const second = gate.run(async () => "queued");
    await expect(gate.run(async () => "refused")).rejects.toMatchObject({ status: 429, retryAfter: 1 });
    expect(gate.load).toEqual({ active: 1, waiting: 1 });
    release();
    await first;
    expect(await second).toBe("queued");
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });
});
