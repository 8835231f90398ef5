import { expect, it } from "vitest";
import {
  dropExpiredPartitions,
  listPartitions,
  Partitions,
  partitionName,
} from "../../../src/traces/store/partitions.ts";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { hexId, jsonRequest, nowNs, span } from "../otlp-builders.ts";

const MS = 1_000_000n;

describeEachDatabase("trace queries, exception incidents, retention", (db) => {
  const t = useApp(db);
  const get = async <T>(path: string): Promise<T> => {
    const res = await t.request(path);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  const base = nowNs() - 60_000n * MS;

  it("services: requests, errors and p50/p95/p99 of entry spans, computed by Postgres", async () => {
    // Durations (ms) of 13 server spans; numpy.percentile gives p50 7, p95 70, p99 94.
    const durations = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 50, 100];
    const spans = durations.flatMap((d, i) => {
      const traceId = hexId(16);
      const start = base + BigInt(i) * 1000n * MS;
      const server = span({
        traceId,
        startNs: start,
        endNs: start + BigInt(d) * MS,
        kind: 2,
        status: i < 2 ? { code: 2, message: "boom" } : { code: 1 },
      });
      // A client span inside: not a request of the service.
      const client = span({
        traceId,
        parentSpanId: server.spanId,
        kind: 3,
        startNs: start,
        endNs: start + MS * 500n,
      });
      return [server, client];
    });
    expect((await t.post("/v1/traces", jsonRequest(spans, "api"))).status).toBe(200);
    const worker = span({ kind: 1, startNs: base, endNs: base + 3n * MS });
    expect((await t.post("/v1/traces", jsonRequest([worker], "worker"))).status).toBe(200);
    await t.spansWritten();

    const { services } = await get<{ services: Record<string, number | string>[] }>("/api/v1/services");
    const api = services.find((s) => s.service === "api")!;
    expect(api).toMatchObject({ requests: 13, errors: 2 });
    expect(api.errorRate).toBeCloseTo(2 / 13, 10);
    expect(api.p50Ms).toBeCloseTo(7, 6);
    expect(api.p95Ms).toBeCloseTo(70, 6);
    expect(api.p99Ms).toBeCloseTo(94, 6);
    // A root span of any kind counts as an entry.
    expect(services.find((s) => s.service === "worker")).toMatchObject({ requests: 1, errors: 0, p50Ms: 3 });
    // Outside the window: nothing.
    const old = await get<{ services: unknown[] }>(
      `/api/v1/services?to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
    );
    expect(old.services).toEqual([]);
  });

  it("traces: filters by service, status and duration; keyset pages cover everything once", async () => {
    type Page = {
      traces: { traceId: string; durationMs: number; errorCount: number; rootService: string }[];
      nextCursor: string | null;
    };
    const all = await get<Page>("/api/v1/traces?limit=500");
    expect(all.traces.length).toBe(14);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await get<Page>(`/api/v1/traces?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.traces.map((x) => x.traceId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.traces.map((x) => x.traceId));
    expect((await get<Page>("/api/v1/traces?service=worker")).traces.map((x) => x.rootService)).toEqual([
      "worker",
    ]);
    expect((await get<Page>("/api/v1/traces?status=error")).traces).toHaveLength(2);
    // The traces' duration spans their client spans (500 ms) too.
    expect((await get<Page>("/api/v1/traces?minDurationMs=400")).traces).toHaveLength(13);
    expect((await t.request("/api/v1/traces?cursor=nonsense")).status).toBe(400);
    expect((await t.request("/api/v1/traces?status=weird")).status).toBe(400);
    expect((await t.request(`/api/v1/traces/${hexId(16)}`)).status).toBe(404);
    expect((await t.request("/api/v1/traces/not-a-trace-id")).status).toBe(400);
  });

  it("exceptions: two call sites → two incidents; ids in the message → one; retries count nothing twice", async () => {
    const stack = (caller: string, line: number) =>
      `Error: order ${line * 7} failed\n    at pay (/srv/app/pay.js:${line}:9)\n    at ${caller} (/srv/app/routes.js:${line + 3}:5)\n    at process (node:internal/process/task_queues:95:5)`;
    const withException = (caller: string, line: number) =>
      span({
        events: [
          {
            name: "exception",
            attributes: {
              "exception.type": "Error",
              "exception.message": `order ${line * 7} failed`,
              "exception.stacktrace": stack(caller, line),
            },
          },
        ],
      });
    const a1 = withException("checkout", 10);
    const a2 = withException("checkout", 52); // same site, another line and id
    const b = withException("refund", 10);
    const batch = jsonRequest([a1, a2, b], "payments");
    for (let i = 0; i < 3; i++) expect((await t.post("/v1/traces", batch)).status).toBe(200);
    await t.spansWritten();

    type List = { incidents: { id: string; count: number; fingerprint: string; source: string }[] };
    const { incidents } = await get<List>("/api/v1/incidents?kind=exception&source=payments");
    expect(incidents.map((i) => i.count).sort()).toEqual([1, 2]);
    const grouped = incidents.find((i) => i.count === 2)!;
    const detail = await get<{
      incident: {
        sample: { stacktrace: string; frames: unknown[] };
        evidence: { traceId: string; spanId: string };
      };
      context: { spans: { spanId: string }[]; stacktrace: string };
    }>(`/api/v1/incidents/${grouped.id}`);
    expect(detail.incident.sample.stacktrace).toMatch(/at checkout/);
    expect(detail.incident.sample.frames.length).toBe(3);
    expect(detail.context.stacktrace).toBe(detail.incident.sample.stacktrace);
    expect(detail.context.spans.map((s) => s.spanId)).toEqual([detail.incident.evidence.spanId]);
  });

  it("retention: old day partitions are dropped, recent ones kept, ingest recreates what it needs", async () => {
    const partitions = new Partitions(t.deps.database);
    const day = (daysAgo: number) => new Date(Math.floor(Date.now() / 86_400_000 - daysAgo) * 86_400_000);
    await partitions.ensure([day(30), day(9), day(8)]);
    await partitions.ensure([day(30)]); // idempotent
    const before = (await listPartitions(t.deps.database)).map((p) => p.name);
    expect(before).toEqual(
      expect.arrayContaining([partitionName(day(30)), partitionName(day(9)), partitionName(day(0))]),
    );
    const dropped = await dropExpiredPartitions(t.deps.database, 7);
    expect(dropped).toEqual([partitionName(day(30)), partitionName(day(9)), partitionName(day(8))]);
    const after = (await listPartitions(t.deps.database)).map((p) => p.name);
    expect(after).toContain(partitionName(day(0)));
    expect(after).not.toContain(partitionName(day(8)));
    // Spans of today are still there and ingest keeps working.
    const s = span();
    expect((await t.post("/v1/traces", jsonRequest([s]))).status).toBe(200);
    await t.spansWritten();
    expect((await t.request(`/api/v1/traces/${s.traceId}`)).status).toBe(200);
  });
});
