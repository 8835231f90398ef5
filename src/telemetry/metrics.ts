import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** One registry per app instance (not prom-client's global), so several apps can live in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vigil_" });
  const requests = new Counter({
    name: "vigil_http_requests_total",
    help: "HTTP requests by route pattern, method and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "vigil_http_request_duration_seconds",
    help: "HTTP request latency by route pattern, method and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      // The route pattern (e.g. /api/v1/traces/:traceId), never the raw path: bounded label cardinality.
      const matched = c.finalized || c.res ? routePath(c, -1) : "/*";
      const route = matched === "/*" || matched === "*" ? "unmatched" : matched;
      const labels = { method: c.req.method, route, status: String(c.res.status) };
      requests.inc(labels);
      end(labels);
    }
  };
  return { registry, middleware };
}

export type Metrics = ReturnType<typeof createMetrics>;
