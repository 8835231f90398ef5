import { describe, expect, it } from "vitest";
import type { SpanRecord } from "../../../src/traces/model.ts";
import { decodeJsonRequest } from "../../../src/traces/otlp/json.ts";
import { validateSpans } from "../../../src/traces/prepare/validate.ts";
import {
  batchRows,
  isoMicros,
  resourceId,
  SPAN_COLUMNS,
  upgradeBatchV1,
} from "../../../src/traces/store/copy-text.ts";
import { jsonRequest, nowNs, span } from "../otlp-builders.ts";

const resource = { "service.name": "checkout" };
const scope = { name: "@opentelemetry/instrumentation-http" };
const record = (over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: "a".repeat(32),
  spanId: "b".repeat(16),
  parentSpanId: null,
  traceState: null,
  flags: null,
  name: "GET /",
  kind: 2,
  service: "checkout",
  startNs: 1_700_000_000_000_000_000n,
  durationNs: 1500n,
  attributes: { "http.method": "GET" },
  events: [],
  links: [],
  statusCode: 0,
  statusMessage: null,
  dropped: { attributes: 0, events: 0, links: 0 },
  resource,
  scope,
  ...over,
});

const PROJECT = "00000000-0000-4000-8000-000000000001";
/** COPY text → one object per line, by SPAN_COLUMNS (escapes undone, \N → null). */
const parseCopy = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) =>
      Object.fromEntries(
        line
          .split("\t")
          .map((f, i) => [
            SPAN_COLUMNS[i],
            f === "\\N"
              ? null
              : f.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r" })[c] ?? c),
          ]),
      ),
    );

describe("batchRows", () => {
  it("one COPY line per span; each (resource, scope) pair once, with the UTC days its spans start on", () => {
    const otherScope = { name: "@opentelemetry/instrumentation-pg" };
    const other = { "service.name": "cart" };
    const day2 = 1_700_000_000_000_000_000n + 86_400_000_000_000n;
    const { rows, resources } = batchRows(PROJECT, [
      record(),
      record({ scope: otherScope, dropped: { attributes: 2, events: 0, links: 0 } }),
      record({ resource: other }),
      record({ startNs: day2 }),
    ]);
    expect(JSON.parse(resources)).toEqual([
      [resourceId(resource, scope), ["2023-11-14", "2023-11-15"], resource, scope],
      [resourceId(resource, otherScope), ["2023-11-14"], resource, otherScope],
      [resourceId(other, scope), ["2023-11-14"], other, scope],
    ]);
    const parsed = parseCopy(rows);
    expect(parsed.map((r) => r.resource_id)).toEqual([
      resourceId(resource, scope),
      resourceId(resource, otherScope),
      resourceId(other, scope),
      resourceId(resource, scope),
    ]);
    expect(parsed.map((r) => r.dropped)).toEqual(["{}", '{"attributes":2,"events":0,"links":0}', "{}", "{}"]);
    expect(parsed[0]).toEqual({
      project_id: PROJECT,
      trace_id: "a".repeat(32),
      span_id: "b".repeat(16),
      parent_span_id: null,
      start_time: "2023-11-14T22:13:20.000000Z",
      start_ns: "1700000000000000000",
      duration_ns: "1500",
      name: "GET /",
      kind: "2",
      service: "checkout",
      status_code: "0",
      status_message: null,
      trace_state: null,
      flags: null,
      resource_id: resourceId(resource, scope),
      attributes: '{"http.method":"GET"}',
      events: "[]",
      links: "[]",
      dropped: "{}",
    });
  });

  it("escapes what COPY text treats specially, in text and in JSON; drops NUL", () => {
    const name = "a\tb\nc\\d\re\u0000f";
    const { rows } = batchRows(PROJECT, [
      record({ name, statusMessage: "\\N", attributes: { path: "C:\\x\ty" } }),
    ]);
    expect(rows.split("\n")).toHaveLength(2); // one line, then the final newline
    const [row] = parseCopy(rows);
    expect(row?.name).toBe("a\tb\nc\\d\ref");
    expect(row?.status_message).toBe("\\N"); // the text, not NULL
    expect(JSON.parse(row?.attributes as string)).toEqual({ path: "C:\\x\ty" });
  });
});

describe("resourceId", () => {
  it("is a uuid that depends on the content, not the order of keys", () => {
    const id = resourceId({ a: 1, b: [1, { c: 2, d: 3 }] }, scope);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(resourceId({ b: [1, { d: 3, c: 2 }], a: 1 }, scope)).toBe(id);
    expect(resourceId({ a: 1, b: [1, { c: 2, d: 4 }] }, scope)).not.toBe(id);
    expect(resourceId({ a: 1, b: [1, { c: 2, d: 3 }] }, { name: "other" })).not.toBe(id);
  });
});

describe("upgradeBatchV1", () => {
  it("gives a batch queued as JSON (scope inline, resource by index) the rows and resources of today's", () => {
    const v1 = (r: SpanRecord, scopeName: string, resourceIdx: number) => [
      r.traceId,
      r.spanId,
      r.parentSpanId,
      r.startNs.toString(),
      r.durationNs.toString(),
      r.name,
      r.kind,
      r.service,
      r.statusCode,
      r.statusMessage,
      r.traceState,
      r.flags,
      { name: scopeName },
      r.attributes,
      resourceIdx,
      r.events,
      r.links,
      r.dropped,
    ];
    const spans = [
      record({
        spanId: "1".repeat(16),
        events: [{ timeNs: "5", name: "e", attributes: {}, droppedAttributesCount: 0 }],
      }),
      record({ spanId: "2".repeat(16), dropped: { attributes: 1, events: 0, links: 0 } }),
      record({ spanId: "3".repeat(16), statusMessage: "x\ty" }),
    ];
    const upgraded = upgradeBatchV1(
      PROJECT,
      JSON.stringify([v1(spans[0]!, "a", 0), v1(spans[1]!, "b", 0), v1(spans[2]!, "a", 1)]),
      JSON.stringify([{ r: 0 }, { r: 1 }]),
    );
    const a = { name: "a" };
    expect(upgraded).toEqual(
      batchRows(PROJECT, [
        { ...spans[0]!, resource: { r: 0 }, scope: a },
        { ...spans[1]!, resource: { r: 0 }, scope: { name: "b" } },
        { ...spans[2]!, resource: { r: 1 }, scope: a },
      ]),
    );
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
