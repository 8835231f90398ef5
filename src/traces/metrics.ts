import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The receiver's own counters, on the app's registry (/metrics): what arrived per encoding and
 * status, what became of each span, and how big and slow batches are. Labels are bounded.
 */
export function createOtlpMetrics(registry: Registry) {
  // Building the app twice on one registry (tests) must not register the metrics twice.
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const requests =
    existing<Counter<"encoding" | "status">>("vigil_otlp_requests_total") ??
    new Counter({
      name: "vigil_otlp_requests_total",
      help: "OTLP/HTTP export requests by encoding (protobuf, json, other) and HTTP status",
      labelNames: ["encoding", "status"] as const,
      registers: [registry],
    });
  const spans =
    existing<Counter<"outcome">>("vigil_otlp_spans_received_total") ??
    new Counter({
      name: "vigil_otlp_spans_received_total",
      help: "Spans in decoded OTLP requests: accepted (written), duplicate (written before: a retry), rejected (invalid)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    });
  const batchSpans =
    existing<Histogram<"encoding">>("vigil_otlp_batch_spans") ??
    new Histogram({
      name: "vigil_otlp_batch_spans",
      help: "Spans per decoded OTLP request",
      labelNames: ["encoding"] as const,
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    });
  const ingestSeconds =
    existing<Histogram<"encoding">>("vigil_otlp_ingest_duration_seconds") ??
    new Histogram({
      name: "vigil_otlp_ingest_duration_seconds",
      help: "Time from the start of decoding to the queued batch committed, for one OTLP request",
      labelNames: ["encoding"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  const queueSpans =
    existing<Gauge>("vigil_otlp_queue_spans") ??
    new Gauge({
      name: "vigil_otlp_queue_spans",
      help: "Spans this process accepted (queued) and has not yet written to the span store",
      registers: [registry],
    });
  const queueFull =
    existing<Counter>("vigil_otlp_queue_full_total") ??
    new Counter({
      name: "vigil_otlp_queue_full_total",
      help: "OTLP requests refused (429) because the span queue was full",
      registers: [registry],
    });
  const writeLagSeconds =
    existing<Histogram>("vigil_otlp_write_lag_seconds") ??
    new Histogram({
      name: "vigil_otlp_write_lag_seconds",
      help: "Time from a batch being queued to its spans being written (queryable)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  const writeFailures =
    existing<Counter>("vigil_otlp_write_failures_total") ??
    new Counter({
      name: "vigil_otlp_write_failures_total",
      help: "Failed attempts to write a queued batch for a reason other than the database being unavailable",
      registers: [registry],
    });
  const failedBatches =
    existing<Gauge>("vigil_otlp_failed_batches") ??
    new Gauge({
      name: "vigil_otlp_failed_batches",
      help: "Queued batches the span writer gave up on after its retries: acknowledged spans not stored (see /api/v1/span-batches)",
      registers: [registry],
    });
  const failedSpans =
    existing<Gauge>("vigil_otlp_failed_spans") ??
    new Gauge({
      name: "vigil_otlp_failed_spans",
      help: "Spans in the batches the span writer gave up on",
      registers: [registry],
    });
  return {
    failedBatches,
    failedSpans,
    requests,
    spans,
    batchSpans,
    ingestSeconds,
    queueSpans,
    queueFull,
    writeLagSeconds,
    writeFailures,
  };
}

export type OtlpMetrics = ReturnType<typeof createOtlpMetrics>;
