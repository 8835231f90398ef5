import { describe, expect, it } from "vitest";
import type { SpanRecord } from "../../src/traces/model.ts";
import { batchJson, upgradeBatchV1 } from "../../src/traces/store.ts";

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

describe("batchJson", () => {
  it("stores each (resource, scope) pair once and rows by its index; all-zero dropped counts as {}", () => {
    const otherScope = { name: "@opentelemetry/instrumentation-pg" };
    const other = { "service.name": "cart" };
    const { rows, resources } = batchJson([
      record(),
      record({ scope: otherScope, dropped: { attributes: 2, events: 0, links: 0 } }),
      record({ resource: other }),
      record(),
    ]);
    expect(JSON.parse(resources)).toEqual([
      [resource, scope],
      [resource, otherScope],
      [other, scope],
    ]);
    const parsed = JSON.parse(rows) as unknown[][];
    expect(parsed.map((r) => r[12])).toEqual([0, 1, 2, 0]);
    expect(parsed.map((r) => r[16])).toEqual([{}, { attributes: 2, events: 0, links: 0 }, {}, {}]);
    expect(parsed[0]).toEqual([
      "a".repeat(32),
      "b".repeat(16),
      null,
      "1700000000000000000",
      "1500",
      "GET /",
      2,
      "checkout",
      0,
      null,
      null,
      null,
      0,
      { "http.method": "GET" },
      [],
      [],
      {},
    ]);
  });
});

describe("upgradeBatchV1", () => {
  it("turns an inline scope and a resource index into an index of (resource, scope) pairs", () => {
    const v1 = (scopeName: string, resourceIdx: number) => [
      "t",
      "s",
      null,
      "1",
      "2",
      "n",
      1,
      "svc",
      0,
      null,
      null,
      null,
      { name: scopeName },
      { k: "v" },
      resourceIdx,
      [{ name: "e" }],
      [],
      { attributes: 0, events: 0, links: 0 },
    ];
    const upgraded = upgradeBatchV1(
      JSON.stringify([v1("a", 0), v1("b", 0), v1("a", 1), v1("a", 0)]),
      JSON.stringify([{ r: 0 }, { r: 1 }]),
    );
    expect(JSON.parse(upgraded.resources)).toEqual([
      [{ r: 0 }, { name: "a" }],
      [{ r: 0 }, { name: "b" }],
      [{ r: 1 }, { name: "a" }],
    ]);
    const rows = JSON.parse(upgraded.rows) as unknown[][];
    expect(rows.map((r) => r[12])).toEqual([0, 1, 2, 0]);
    expect(rows[0]).toEqual([
      "t",
      "s",
      null,
      "1",
      "2",
      "n",
      1,
      "svc",
      0,
      null,
      null,
      null,
      0,
      { k: "v" },
      [{ name: "e" }],
      [],
      { attributes: 0, events: 0, links: 0 },
    ]);
  });
});
