import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ApiError } from "../../../src/http/errors.ts";
import { type ExportRequest, prepareExport } from "../../../src/traces/prepare/export.ts";
import { PreparePool } from "../../../src/traces/prepare/pool.ts";
import { runOwnProcess } from "../../helpers/own-process.ts";
import { hexId, jsonRequest, nowNs, protobufRequest, span } from "../otlp-builders.ts";

const DAY_NS = 86_400_000_000_000n;
const failing = () =>
  span({
    events: [{ name: "exception", attributes: { "exception.type": "Error", "exception.message": "boom" } }],
  });

const request = (body: Uint8Array, extra: Partial<ExportRequest> = {}): ExportRequest => ({
  projectId: "00000000-0000-4000-8000-000000000001",
  body,
  encoding: "protobuf",
  limit: 1 << 20,
  nowMs: Date.now(),
  retentionDays: 7,
  ...extra,
});

describe("prepareExport", () => {
  it("keeps the valid spans ready for the queue: their days, and only the spans something is derived from", () => {
    const traceId = hexId(16);
    const yesterday = span({ traceId, startNs: nowNs() - DAY_NS });
    const boom = failing();
    const llm = span({ attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "m-1" } });
    const notLlm = span({ attributes: { "gen_ai.operation.name": "chat" } }); // no model: no prediction
    const out = prepareExport(
      request(protobufRequest([yesterday, boom, llm, notLlm, span({ traceId: "abc" })])),
    );
    expect(out).toMatchObject({ received: 5, rejected: 1, errorMessage: expect.stringMatching(/trace id/) });
    expect(out.batch?.count).toBe(4);
    const day = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
    expect(out.batch?.days).toEqual([...new Set([day(yesterday.startNs), day(boom.startNs)])].sort());
    expect((JSON.parse(out.batch!.derived) as { spanId: string }[]).map((r) => r.spanId).sort()).toEqual(
      [boom.spanId, llm.spanId].sort(),
    );
  });

  it("a request with no valid span has nothing to queue", () => {
    const out = prepareExport(request(protobufRequest([span({ spanId: "00" })])));
    expect(out).toMatchObject({ received: 1, rejected: 1 });
    expect(out.batch).toBeUndefined();
  });
});

describe("PreparePool", () => {
  const pool = new PreparePool(1);
  afterAll(() => pool.close());

  it("answers on a thread exactly what prepareExport answers inline, protobuf or gzipped JSON", async () => {
    const nowMs = Date.now();
    const spans = [span(), failing(), span({ traceId: "abc" })];
    const pb = protobufRequest(spans);
    const json = gzipSync(JSON.stringify(jsonRequest(spans)));
    for (const [body, extra] of [
      [pb, {}],
      [json, { encoding: "json", contentEncoding: "gzip" }],
    ] as const) {
      const inline = prepareExport(request(new Uint8Array(body), { ...extra, nowMs }));
      const own = new Uint8Array(body); // its own buffer: handed to the thread, not copied
      await expect(pool.run(request(own, { ...extra, nowMs }))).resolves.toEqual(inline);
      expect(own.buffer.byteLength).toBe(0);
    }
  });

  it("400, 413 and 415 come back from the thread as the same ApiErrors", async () => {
    const cases: [ExportRequest, number, RegExp][] = [
      [request(new Uint8Array([0x0a, 0xff, 0xff])), 400, /ExportTraceServiceRequest/],
      [request(new TextEncoder().encode("{ nope"), { encoding: "json" }), 400, /Invalid JSON/],
      [request(gzipSync(Buffer.alloc(4096)), { contentEncoding: "gzip", limit: 1024 }), 413, /exceeds 1024/],
      [request(new Uint8Array([1]), { contentEncoding: "br" }), 415, /br is not supported/],
    ];
    for (const [req, status, message] of cases) {
      const error = await pool.run(req).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status, message: expect.stringMatching(message) });
    }
  });

  it("a thread that goes away fails its requests, and the next request gets a new thread", async () => {
    const big = protobufRequest(Array.from({ length: 2000 }, () => span()));
    const pending = pool.run(request(big));
    await pool.close();
    await expect(pending).rejects.toThrow(/prepare thread exited/);
    await expect(pool.run(request(protobufRequest([span()])))).resolves.toMatchObject({ received: 1 });
  });
});

describe("PreparePool threads and the process", () => {
  it("keep it alive while an answer is owed, and let it end once idle", () => {
    // Nothing but the pending answer holds this process: it must wait for it, print it, then exit.
    const out = runOwnProcess(`
      import { PreparePool } from "@src/traces/prepare/pool.ts";
      const pool = new PreparePool(1);
      const answer = await pool.run({ projectId: "00000000-0000-4000-8000-000000000001",
        body: new Uint8Array([1, 2, 3]), encoding: "protobuf", limit: 1024, nowMs: Date.now(), retentionDays: 7,
      }).then(() => "prepared", (e) => e.status);
      console.log(answer);
    `);
    expect(out, out.stderr).toMatchObject({ status: 0, signal: null, stdout: "400\n" });
  });
});
