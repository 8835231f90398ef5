import { randomBytes } from "node:crypto";
import { encodeProtobufRequest } from "../src/traces/otlp/protobuf.ts";

/**
 * Realistic OTLP batches for the ingest benchmark: traces of ~10 spans (an HTTP server span, DB
 * and HTTP client calls, internal work) from a handful of services, with the attributes current
 * semantic conventions put there, k8s resource attributes, and 2% errors carrying an exception
 * event with a stack trace. Every batch has fresh ids.
 */

const SERVICES = ["checkout", "cart", "payments", "catalog", "recommendations"];
const STACK = `Error: upstream timed out after 3000ms
    at Timeout._onTimeout (/srv/app/src/clients/payments.js:88:23)
    at listOnTimeout (node:internal/timers:581:17)
    at process.processTimers (node:internal/timers:519:7)
    at async charge (/srv/app/src/routes/checkout.js:41:5)`;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });

function resource(service: string, pod: number) {
  return {
    attributes: [
      str("service.name", service),
      str("service.version", "2.14.3"),
      str("service.namespace", "shop"),
      str("deployment.environment.name", "production"),
      str("telemetry.sdk.language", "nodejs"),
      str("telemetry.sdk.name", "opentelemetry"),
      str("telemetry.sdk.version", "2.12.0"),
      str("host.name", `ip-10-0-${pod % 250}-17.eu-west-1.compute.internal`),
      str("k8s.namespace.name", "shop"),
      str("k8s.pod.name", `${service}-7d9f8c6b5-${pod.toString(36).padStart(5, "x")}`),
      str("k8s.deployment.name", service),
      str("cloud.region", "eu-west-1"),
    ],
  };
}

function traceSpans(startNs: bigint, error: boolean) {
  const traceId = randomBytes(16);
  const rootId = randomBytes(8);
  const order = Math.floor(Math.random() * 1e6);
  const spans: Record<string, unknown>[] = [];
  const rootDur = 20_000_000n + BigInt(Math.floor(Math.random() * 80_000_000));
  spans.push({
    traceId,
    spanId: rootId,
    name: "POST /api/checkout",
    kind: 2,
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: (startNs + rootDur).toString(),
    attributes: [
      str("http.request.method", "POST"),
      str("http.route", "/api/checkout"),
      str("url.path", `/api/checkout/${order}`),
      str("url.scheme", "https"),
      int("http.response.status_code", error ? 502 : 200),
      str("server.address", "shop.example.com"),
      int("server.port", 443),
      str("client.address", `10.1.${order % 255}.${order % 97}`),
      str(
        "user_agent.original",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
      ),
      str("network.protocol.version", "1.1"),
    ],
    status: error ? { code: 2, message: "upstream timed out" } : { code: 0 },
  });
  for (let i = 0; i < 9; i++) {
    const offset = BigInt(i) * 2_000_000n + 500_000n;
    const dur = 300_000n + BigInt(Math.floor(Math.random() * 1_500_000));
    const isDb = i % 3 !== 2;
    const failing = error && i === 8;
    spans.push({
      traceId,
      spanId: randomBytes(8),
      parentSpanId: rootId,
      name: isDb ? "SELECT shop.orders" : "POST payments",
      kind: 3,
      startTimeUnixNano: (startNs + offset).toString(),
      endTimeUnixNano: (startNs + offset + dur).toString(),
      attributes: isDb
        ? [
            str("db.system.name", "postgresql"),
            str("db.namespace", "shop"),
            str("db.collection.name", "orders"),
            str("db.operation.name", "SELECT"),
            str(
              "db.query.text",
              "SELECT id, status, total_cents FROM orders WHERE customer_id = $1 AND status = $2 LIMIT 50",
            ),
            str("server.address", "orders-db.internal"),
            int("server.port", 5432),
          ]
        : [
            str("http.request.method", "POST"),
            str("url.full", `https://payments.internal/v1/charges/${order}`),
            str("server.address", "payments.internal"),
            int("server.port", 443),
            int("http.response.status_code", failing ? 504 : 201),
          ],
      events: failing
        ? [
            {
              timeUnixNano: (startNs + offset + dur).toString(),
              name: "exception",
              attributes: [
                str("exception.type", "Error"),
                str("exception.message", `upstream timed out after 3000ms (order ${order})`),
                str("exception.stacktrace", STACK),
              ],
            },
          ]
        : [],
      status: failing ? { code: 2, message: "timeout" } : { code: 0 },
    });
  }
  return spans;
}

/** One ExportTraceServiceRequest of `size` spans (100 traces of 10), start times around `nowNs`. */
export function makeBatch(size: number, nowNs: bigint): Uint8Array {
  const byService = new Map<string, Record<string, unknown>[]>();
  for (let t = 0; t < size / 10; t++) {
    const service = SERVICES[t % SERVICES.length]!;
    const start = nowNs - BigInt(Math.floor(Math.random() * 60_000)) * 1_000_000n;
    const list = byService.get(service) ?? [];
    list.push(...traceSpans(start, Math.random() < 0.02));
    byService.set(service, list);
  }
  return encodeProtobufRequest({
    resourceSpans: [...byService].map(([service, spans], i) => ({
      resource: resource(service, i + Math.floor(Math.random() * 40)),
      scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.57.0" }, spans }],
    })),
  });
}
