import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { loadConfig } from "../../src/config.ts";
import { type Service, startService } from "../../src/main.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const run = promisify(execFile);
const APP = join(import.meta.dirname, "fixtures/sdk-app/app.mjs");

interface Sent {
  traceId: string;
  spanId: string;
  name: string;
  parentSpanId?: string;
  stack?: string;
}

/**
 * The acceptance test: an unmodified OpenTelemetry SDK app (a separate process) pointed at a real
 * Vigil server by environment variables alone, with both OTLP/HTTP exporters, gzip on and off.
 */
describeEachDatabase("OpenTelemetry SDK → Vigil", (db) => {
  let service: Service;
  let key: string;
  let base: string;
  beforeAll(async () => {
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      VIGIL_RUN_JOBS: "false",
      // On the server, pg-boss needs its own pool (it runs transactions).
      ...(db.url ? { DATABASE_URL: db.url } : {}),
    });
    service = await startService(config, pino({ level: "silent" }), { database: db.database });
    key = (await createApiKey(db.database.db, "sdk")).key;
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => service?.shutdown());

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  const exportWith = async (exporter: "proto" | "json", compression: "gzip" | "none", orderId: number) => {
    const { stdout, stderr } = await run(process.execPath, [APP, exporter, String(orderId)], {
      env: {
        PATH: process.env.PATH,
        OTEL_EXPORTER_OTLP_ENDPOINT: base,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${encodeURIComponent(key)}`,
        OTEL_EXPORTER_OTLP_COMPRESSION: compression,
      },
      timeout: 20_000,
    });
    expect(stderr).toBe("");
    await service.spanWriter.idle(); // accepted batches are queued, then written
    return JSON.parse(stdout) as Sent[];
  };

  type TraceSpan = {
    spanId: string;
    parentSpanId: string | null;
    name: string;
    kind: string;
    service: string;
    status: { code: string; message: string | null };
    attributes: Record<string, unknown>;
    resource: Record<string, unknown>;
    scope: Record<string, unknown>;
    events: { name: string; attributes: Record<string, unknown> }[];
    links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
    depth: number;
  };

  const cases = [
    ["proto", "none"],
    ["proto", "gzip"],
    ["json", "none"],
    ["json", "gzip"],
  ] as const;

  it.each(cases)(
    "%s exporter, compression %s: every span, attribute, event, link and parent arrives",
    async (exporter, compression) => {
      const sent = await exportWith(exporter, compression, 1041);
      const [warmup, root, child] = sent as [Sent, Sent, Sent];
      const trace = await api<{ roots: string[]; spans: TraceSpan[] }>(`/api/v1/traces/${root.traceId}`);
      expect(trace.spans.map((s) => [s.name, s.depth])).toEqual([
        ["POST /checkout", 0],
        ["charge card", 1],
      ]);
      const [r, c] = trace.spans as [TraceSpan, TraceSpan];
      expect(r).toMatchObject({
        spanId: root.spanId,
        parentSpanId: null,
        kind: "server",
        service: "shop",
        status: { code: "error" },
        attributes: {
          "http.request.method": "POST",
          "http.response.status_code": 500,
          "app.retry": false,
          "app.ratio": 0.25,
          "app.tags": ["a", "b"],
        },
        resource: { "service.name": "shop", "service.version": "1.4.2", "deployment.environment": "test" },
        scope: { name: "shop-checkout", version: "0.9.0" },
        links: [{ traceId: warmup.traceId, spanId: warmup.spanId, attributes: { reason: "warmup" } }],
      });
      expect(r.events).toEqual([
        expect.objectContaining({ name: "cart.loaded", attributes: { "cart.items": 3 } }),
      ]);
      expect(c).toMatchObject({
        spanId: child.spanId,
        parentSpanId: root.spanId,
        kind: "client",
        status: { code: "error", message: "card declined for order 1041" },
        attributes: { "payment.provider": "acme" },
      });
      expect(c.events[0]).toMatchObject({
        name: "exception",
        attributes: {
          "exception.type": "TypeError",
          "exception.message": "card declined for order 1041",
          "exception.stacktrace": child.stack,
        },
      });
      const other = await api<{ spans: TraceSpan[] }>(`/api/v1/traces/${warmup.traceId}`);
      expect(other.spans.map((s) => s.name)).toEqual(["warmup"]);
    },
  );

  it("the exceptions became one incident with the stack trace and the trace's spans", async () => {
    // Same call site, another order id: still the same incident.
    const sent = await exportWith("proto", "gzip", 99817);
    const child = sent[2]!;
    const list = await api<{ incidents: { id: string; count: number; title: string; source: string }[] }>(
      "/api/v1/incidents?kind=exception",
    );
    expect(list.incidents).toHaveLength(1);
    const incident = list.incidents[0]!;
    expect(incident).toMatchObject({ count: cases.length + 1, source: "shop" });
    expect(incident.title).toMatch(/^TypeError: card declined for order/);
    const detail = await api<{
      incident: {
        sample: { stacktrace: string };
        latest: { stacktrace: string };
        evidence: { traceId: string };
      };
      context: { spans: { spanId: string }[]; stacktrace: string; traceId: string };
    }>(`/api/v1/incidents/${incident.id}`);
    expect(detail.incident.sample.stacktrace).toMatch(
      /^TypeError: card declined for order 1041\n\s+at chargeCard/,
    );
    expect(detail.incident.latest.stacktrace).toBe(child.stack);
    expect(detail.context.traceId).toBe(child.traceId);
    expect(detail.context.spans.map((s) => s.spanId)).toContain(child.spanId);
  });

  it("services: the entry spans per service, with percentiles", async () => {
    const stats = await api<{
      services: { service: string; requests: number; errors: number; p99Ms: number }[];
    }>("/api/v1/services");
    const shop = stats.services.find((s) => s.service === "shop")!;
    // Per run: "POST /checkout" (server, error) and "warmup" (a root span).
    expect(shop).toMatchObject({ requests: 2 * (cases.length + 1), errors: cases.length + 1 });
    expect(shop.p99Ms).toBeGreaterThanOrEqual(0);
  });
});
