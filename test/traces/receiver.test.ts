import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { decodeProtobufResponse } from "../../src/traces/otlp/protobuf.ts";
import { decodeStatus } from "../../src/traces/otlp/status.ts";
import { traceRoutes } from "../../src/traces/routes.ts";
import { isoMicros } from "../../src/traces/store/copy-text.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { hexId, jsonRequest, nowNs, protobufRequest, span } from "./otlp-builders.ts";

const PB = { "content-type": "application/x-protobuf" };
// google.rpc.Code values (google/rpc/code.proto), written out here as the spec numbers them.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAUTHENTICATED = 16;

describeEachDatabase("OTLP/HTTP receiver", (db) => {
  const t = useApp(db, { env: { VIGIL_BODY_LIMIT: "256kb" } });

  const count = async (traceId: string) => {
    await t.spansWritten();
    return Number(
      (
        await t.deps.database.execute<{ n: number | string }>(
          "select count(*) as n from spans where project_id = $1 and trace_id = $2",
          [t.projectId, traceId],
        )
      )[0]!.n,
    );
  };
  const postPb = (body: Uint8Array, headers: Record<string, string> = {}) =>
    t.request("/v1/traces", { method: "POST", body: new Uint8Array(body), headers: { ...PB, ...headers } });

  it("stores a JSON export and answers an empty ExportTraceServiceResponse in JSON", async () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: "GET /orders", attributes: { "http.status_code": 200, big: "x" } });
    const child = span({ traceId, parentSpanId: root.spanId, name: "SELECT orders", kind: 3 });
    const res = await t.post("/v1/traces", jsonRequest([root, child], "orders"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({});
    await t.spansWritten();
    const trace = (await (await t.request(`/api/v1/traces/${traceId}`)).json()) as {
      roots: string[];
      spans: { name: string; depth: number }[];
    };
    expect(trace.roots).toEqual([root.spanId]);
    expect(trace.spans.map((s: { name: string; depth: number }) => [s.name, s.depth])).toEqual([
      ["GET /orders", 0],
      ["SELECT orders", 1],
    ]);
    expect(trace.spans[0]).toMatchObject({
      service: "orders",
      kind: "server",
      children: [child.spanId],
      startTimeUnixNano: root.startNs.toString(),
      durationNs: "1500000",
      attributes: { "http.status_code": 200, big: "x" },
      resource: { "service.name": "orders" },
      scope: { name: "test", version: "1.0" },
    });
  });

  it("stores a protobuf export, gzipped or not, and answers in protobuf", async () => {
    for (const gzip of [false, true]) {
      const traceId = hexId(16);
      const body = protobufRequest([span({ traceId }), span({ traceId })]);
      const res = await postPb(gzip ? gzipSync(body) : body, gzip ? { "content-encoding": "gzip" } : {});
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-protobuf");
      expect(decodeProtobufResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({});
      expect(await count(traceId)).toBe(2);
    }
  });

  it("start_time (the partition key, computed by the insert) is start_ns to the microsecond", async () => {
    const traceId = hexId(16);
    const startNs = nowNs() - 5_000_000n + 123_789n; // 789 ns below timestamptz's precision
    expect((await postPb(protobufRequest([span({ traceId, startNs })]))).status).toBe(200);
    await t.spansWritten();
    const rows = await t.deps.database.execute<{ ns: string; iso: string }>(
      `select start_ns::text as ns, to_char(start_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as iso
         from spans where project_id = $1 and trace_id = $2`,
      [t.projectId, traceId],
    );
    expect(rows).toEqual([{ ns: startNs.toString(), iso: isoMicros(startNs) }]);
  });

  it("accepts gzipped JSON and an empty request", async () => {
    const traceId = hexId(16);
    const res = await t.request("/v1/traces", {
      method: "POST",
      body: gzipSync(JSON.stringify(jsonRequest([span({ traceId })]))),
      headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(await count(traceId)).toBe(1);
    expect((await t.post("/v1/traces", {})).status).toBe(200);
    expect((await postPb(new Uint8Array())).status).toBe(200);
  });

  it("partial success: invalid spans are rejected and counted, the rest stored", async () => {
    const traceId = hexId(16);
    const good = span({ traceId });
    const start = nowNs();
    const bad = [
      span({ traceId: "abcd" }),
      span({ traceId, spanId: "00000000000000000" }),
      span({ traceId, startNs: start, endNs: start - 1n }),
      span({ traceId, name: "" }),
      span({ traceId, startNs: start - 40n * 86_400_000_000_000n }),
    ];
    for (const encoding of ["json", "protobuf"] as const) {
      const res =
        encoding === "json"
          ? await t.post("/v1/traces", jsonRequest([good, ...bad]))
          : await postPb(protobufRequest([good, ...bad]));
      expect(res.status).toBe(200);
      const body = (
        encoding === "json"
          ? await res.json()
          : decodeProtobufResponse(new Uint8Array(await res.arrayBuffer()))
      ) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(body.partialSuccess.rejectedSpans).toBe("5");
      expect(body.partialSuccess.errorMessage).toMatch(/invalid trace id/);
      expect(body.partialSuccess.errorMessage).toMatch(/invalid span id/);
      expect(body.partialSuccess.errorMessage).toMatch(/end time before start time/);
      expect(body.partialSuccess.errorMessage).toMatch(/missing span name/);
      expect(body.partialSuccess.errorMessage).toMatch(/retention/);
    }
    expect(await count(traceId)).toBe(1);
  });

  it("values no column can hold are rejected at the door: what is acknowledged is all stored", async () => {
    const start = nowNs();
    for (const encoding of ["json", "protobuf"] as const) {
      const traceId = hexId(16);
      const good = Array.from({ length: 10 }, () => span({ traceId }));
      const bad = [
        span({ traceId, startNs: start, endNs: 2n ** 64n - 1n }), // duration past a signed bigint
        span({ traceId, flags: 2 ** 32 - 1 }), // fixed32 on the wire, an integer column here
        span({ traceId, kind: 7 }),
        span({ traceId, status: { code: 9 } }),
      ];
      const res =
        encoding === "json"
          ? await t.post("/v1/traces", jsonRequest([...good, ...bad]))
          : await postPb(protobufRequest([...good, ...bad]));
      expect(res.status).toBe(200);
      const body = (
        encoding === "json"
          ? await res.json()
          : decodeProtobufResponse(new Uint8Array(await res.arrayBuffer()))
      ) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(body.partialSuccess.rejectedSpans).toBe("4");
      expect(body.partialSuccess.errorMessage).toMatch(/end time more than a day in the future/);
      expect(body.partialSuccess.errorMessage).toMatch(/invalid flags/);
      expect(await count(traceId)).toBe(10);
    }
    const left = await db.database.query<{ n: number }>(sql`select count(*)::int as n from span_batches`);
    expect(left).toEqual([{ n: 0 }]); // nothing stuck in the queue
  });

  it("a JSON span of the wrong shape is rejected alone", async () => {
    const good = span();
    const req = jsonRequest([good]);
    req.resourceSpans[0]!.scopeSpans[0]!.spans.push({ traceId: 42 } as never);
    const res = await t.post("/v1/traces", { ...req, unknownField: true });
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedSpans: "1", errorMessage: expect.stringMatching(/malformed span: traceId/) },
    });
    expect(await count(good.traceId)).toBe(1);
  });

  it("retrying the same batch stores nothing twice", async () => {
    const traceId = hexId(16);
    const batch = [span({ traceId }), span({ traceId }), span({ traceId })];
    for (let i = 0; i < 3; i++) {
      expect((await postPb(protobufRequest(batch))).status).toBe(200);
      expect((await t.post("/v1/traces", jsonRequest(batch))).status).toBe(200);
    }
    // Concurrent retries too.
    const results = await Promise.all(Array.from({ length: 4 }, () => postPb(protobufRequest(batch))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await count(traceId)).toBe(3);
  });

  it("overload: past the in-flight limit the answer is 429 + Retry-After; retried, everything is stored once", async () => {
    const traceId = hexId(16);
    const batches = Array.from({ length: 120 }, () => [span({ traceId }), span({ traceId })]);
    const statuses = await Promise.all(
      batches.map(async (b) => {
        const res = await postPb(protobufRequest(b));
        if (res.status === 429) {
          expect(res.headers.get("retry-after")).toBe("1");
          expect(decodeStatus(new Uint8Array(await res.arrayBuffer()))).toMatchObject({
            code: RESOURCE_EXHAUSTED,
            message: expect.stringMatching(/busy/),
          });
        }
        return res.status;
      }),
    );
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    for (const [i, status] of statuses.entries()) {
      if (status === 429) expect((await postPb(protobufRequest(batches[i]!))).status).toBe(200);
    }
    expect(await count(traceId)).toBe(240);
  });

  it("errors: 400 undecodable, 413 too large after gunzip, 415 media type, 401 without key — a google.rpc.Status in the request's encoding", async () => {
    const valid = protobufRequest([span()]);
    const json = { "content-type": "application/json" };
    type Case = [string, Response | Promise<Response>, number, number, RegExp];
    const protobufCases: Case[] = [
      [
        "garbage protobuf",
        postPb(new TextEncoder().encode("this is not protobuf \u0001\u0002")),
        400,
        INVALID_ARGUMENT,
        /Not an ExportTraceServiceRequest/,
      ],
      [
        "truncated protobuf",
        postPb(valid.subarray(0, valid.length - 7)),
        400,
        INVALID_ARGUMENT,
        /Not an ExportTraceServiceRequest/,
      ],
      [
        "bad gzip",
        postPb(new Uint8Array([1, 2, 3]), { "content-encoding": "gzip" }),
        400,
        INVALID_ARGUMENT,
        /not valid gzip/,
      ],
      [
        "gzip bomb",
        postPb(gzipSync(Buffer.alloc(1024 * 1024)), { "content-encoding": "gzip" }),
        413,
        RESOURCE_EXHAUSTED,
        /Decompressed body exceeds/,
      ],
      ["raw body over the limit", postPb(new Uint8Array(300 * 1024)), 413, RESOURCE_EXHAUSTED, /exceeds/],
      ["brotli", postPb(valid, { "content-encoding": "br" }), 415, INVALID_ARGUMENT, /Content-Encoding br/],
      [
        "no key",
        t.app.request("/v1/traces", { method: "POST", body: new Uint8Array(valid), headers: PB }),
        401,
        UNAUTHENTICATED,
        /key/i,
      ],
    ];
    for (const [name, pending, status, code, message] of protobufCases) {
      const res = await pending;
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(res.headers.get("content-type"), name).toBe("application/x-protobuf");
      const body = decodeStatus(new Uint8Array(await res.arrayBuffer()));
      expect(body.code, name).toBe(code);
      expect(body.message, name).toMatch(message);
    }

    const jsonCases: Case[] = [
      [
        "invalid JSON",
        t.request("/v1/traces", { method: "POST", body: "{ nope", headers: json }),
        400,
        INVALID_ARGUMENT,
        /Invalid JSON/,
      ],
      [
        "JSON of the wrong shape",
        t.post("/v1/traces", { resourceSpans: "everything" }),
        400,
        INVALID_ARGUMENT,
        /resourceSpans/,
      ],
      ["JSON array", t.post("/v1/traces", [1, 2]), 400, INVALID_ARGUMENT, /OTLP\/JSON/],
      [
        "JSON over the limit",
        t.request("/v1/traces", { method: "POST", body: " ".repeat(300 * 1024), headers: json }),
        413,
        RESOURCE_EXHAUSTED,
        /exceeds/,
      ],
      [
        "JSON without key",
        t.app.request("/v1/traces", { method: "POST", body: "{}", headers: json }),
        401,
        UNAUTHENTICATED,
        /key/i,
      ],
      // Neither encoding: the body is JSON, Vigil's default.
      [
        "text/plain",
        t.request("/v1/traces", { method: "POST", body: "x", headers: { "content-type": "text/plain" } }),
        415,
        INVALID_ARGUMENT,
        /Content-Type must be/,
      ],
    ];
    for (const [name, pending, status, code, message] of jsonCases) {
      const res = await pending;
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(res.headers.get("content-type"), name).toMatch(/^application\/json/);
      const body = (await res.json()) as {
        code: number;
        message: string;
        error: { code: string; message: string };
      };
      expect(body.code, name).toBe(code);
      expect(body.message, name).toMatch(message);
      // Vigil's own error object as on every other route, with the same message.
      expect(body.error.code, name).toEqual(expect.any(String));
      expect(body.error.message, name).toBe(body.message);
    }
    // And the server still works.
    expect((await postPb(valid)).status).toBe(200);
  });

  it("counts requests by encoding and status, spans by outcome, and batch sizes in /metrics", async () => {
    const scrape = async () => {
      const text = await (await t.app.request("/metrics")).text();
      return (name: string, labels = "") => {
        const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
        return line ? Number(line.split(" ")[1]) : 0;
      };
    };
    await t.spansWritten(); // what earlier tests queued is counted before this one starts
    const before = await scrape();
    const traceId = hexId(16);
    const batch = [span({ traceId }), span({ traceId }), span({ traceId }), span({ traceId: "abcd" })];
    expect((await postPb(protobufRequest(batch))).status).toBe(200); // 3 accepted, 1 rejected
    expect((await t.post("/v1/traces", jsonRequest(batch))).status).toBe(200); // 3 duplicates, 1 rejected
    expect((await postPb(new Uint8Array([1, 2, 3]))).status).toBe(400);
    expect(
      (
        await t.app.request("/v1/traces", {
          method: "POST",
          body: "{}",
          headers: { "content-type": "text/csv" },
        })
      ).status,
    ).toBe(401);
    await t.spansWritten();
    const after = await scrape();
    const delta = (name: string, labels = "") => after(name, labels) - before(name, labels);

    expect(delta("vigil_otlp_spans_received_total", 'outcome="accepted"')).toBe(3);
    expect(delta("vigil_otlp_spans_received_total", 'outcome="duplicate"')).toBe(3);
    expect(delta("vigil_otlp_spans_received_total", 'outcome="rejected"')).toBe(2);
    expect(delta("vigil_otlp_requests_total", 'encoding="protobuf",status="200"')).toBe(1);
    expect(delta("vigil_otlp_requests_total", 'encoding="json",status="200"')).toBe(1);
    expect(delta("vigil_otlp_requests_total", 'encoding="protobuf",status="400"')).toBe(1);
    expect(delta("vigil_otlp_requests_total", 'encoding="other",status="401"')).toBe(1);
    expect(delta("vigil_otlp_batch_spans_count", 'encoding="protobuf"')).toBe(1);
    expect(delta("vigil_otlp_batch_spans_sum", 'encoding="json"')).toBe(4);
    expect(delta("vigil_otlp_batch_spans_bucket", 'le="1",encoding="json"')).toBe(0);
    expect(delta("vigil_otlp_batch_spans_bucket", 'le="10",encoding="json"')).toBe(1);
    expect(delta("vigil_otlp_ingest_duration_seconds_count", 'encoding="protobuf"')).toBe(1);
    expect(after("vigil_otlp_ingest_duration_seconds_sum", 'encoding="protobuf"')).toBeGreaterThan(0);
    // Both batches were written (one transaction may take both), and nothing is left queued.
    expect(delta("vigil_otlp_write_lag_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(delta("vigil_otlp_write_lag_seconds_count")).toBeLessThanOrEqual(2);
    expect(after("vigil_otlp_queue_spans")).toBe(0);
  });

  it("its routes are in the OpenAPI document", async () => {
    // The router's own document: the whole app's /openapi.json is assembled from the same registry.
    const doc = traceRoutes(t.deps, t.spanWriter).getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
    });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining([
        "/v1/traces",
        "/api/v1/traces",
        "/api/v1/traces/{traceId}",
        "/api/v1/services",
      ]),
    );
  });
});
