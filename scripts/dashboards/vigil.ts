import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { datasourceVariables, PROM, promql, vigilDashboard, vigilUrlVariable } from "./common.ts";

/** Every series of the Vigil processes the `job` variable selects (the scrape job of /metrics). */
const J = `job=~"$job"`;
const rate = (metric: string, extra = "") => `rate(${metric}{${J}${extra}}[$__rate_interval])`;

export function vigilItself() {
  const [prom] = datasourceVariables({ prometheus: true });
  return vigilDashboard(
    "vigil-itself",
    "Vigil / Vigil itself",
    "Vigil's own health from its /metrics: span ingest, the span queue and its write lag, HTTP traffic and latency, background jobs, the database, the process.",
  )
    .withVariable(prom!)
    .withVariable(vigilUrlVariable())
    .withVariable(
      new dashboard.QueryVariableBuilder("job")
        .label("Scrape job")
        .datasource(PROM)
        // The classic string form: every Grafana version reads it (newer ones migrate it on load).
        .query("label_values(vigil_http_requests_total, job)")
        .multi(true)
        .includeAll(true)
        .current({ text: "All", value: "$__all" })
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Database")
        .description("1 when Vigil's database answered the last scrape's ping.")
        .withTarget(promql(`min(vigil_database_up{${J}})`))
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: { "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } },
          },
        ])
        .span(4)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Spans accepted / s")
        .withTarget(promql(`sum(${rate("vigil_otlp_spans_received_total", `, outcome="accepted"`)})`))
        .unit("short")
        .span(5)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Span queue")
        .description("Spans accepted and not yet written, all processes.")
        .withTarget(promql(`sum(vigil_otlp_queue_spans{${J}})`))
        .span(5)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Write lag p95")
        .withTarget(
          promql(`histogram_quantile(0.95, sum by (le) (${rate("vigil_otlp_write_lag_seconds_bucket")}))`),
        )
        .unit("s")
        .span(5)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Failed jobs")
        .description("Jobs in a failed state in pg-boss's job table (kept until pg-boss archives them).")
        .withTarget(promql(`max(sum by (instance) (vigil_jobs{${J}, state="failed"}))`))
        .span(5)
        .height(5),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Spans received by outcome")
        .withTarget(promql(`sum by (outcome) (${rate("vigil_otlp_spans_received_total")})`, "{{outcome}}"))
        .withTarget(
          promql(`sum(${rate("vigil_otlp_queue_full_total")})`, "requests refused: queue full", "B"),
        )
        .unit("short")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Span queue and failed batches")
        .withTarget(promql(`sum by (instance) (vigil_otlp_queue_spans{${J}})`, "queued spans {{instance}}"))
        .withTarget(promql(`max(vigil_otlp_failed_batches{${J}})`, "batches given up", "B"))
        .withTarget(promql(`sum(${rate("vigil_otlp_write_failures_total")})`, "write failures / s", "C"))
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Write lag")
        .description("From a batch being queued to its spans being queryable.")
        .withTarget(
          promql(
            `histogram_quantile(0.5, sum by (le) (${rate("vigil_otlp_write_lag_seconds_bucket")}))`,
            "p50",
          ),
        )
        .withTarget(
          promql(
            `histogram_quantile(0.99, sum by (le) (${rate("vigil_otlp_write_lag_seconds_bucket")}))`,
            "p99",
            "B",
          ),
        )
        .unit("s")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("OTLP requests by status")
        .withTarget(promql(`sum by (status) (${rate("vigil_otlp_requests_total")})`, "{{status}}"))
        .unit("reqps")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("HTTP requests by status")
        .withTarget(promql(`sum by (status) (${rate("vigil_http_requests_total")})`, "{{status}}"))
        .unit("reqps")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("HTTP latency p95 by route")
        .withTarget(
          promql(
            `histogram_quantile(0.95, sum by (le, route) (${rate("vigil_http_request_duration_seconds_bucket", `, route!="unmatched"`)}))`,
            "{{route}}",
          ),
        )
        .unit("s")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Background jobs by state")
        .description(
          "pg-boss jobs by queue and state; a rising `failed` line is a job that ran out of retries.",
        )
        .withTarget(
          promql(
            `max by (queue, state) (vigil_jobs{${J}, state=~"failed|retry|active"})`,
            "{{queue}} {{state}}",
          ),
        )
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("CPU")
        .description("CPU time per second of each Vigil process: 1 is one core.")
        .withTarget(promql(`sum by (instance) (${rate("vigil_process_cpu_seconds_total")})`, "{{instance}}"))
        .unit("percentunit")
        .span(6)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Event loop lag p99")
        .withTarget(
          promql(`max by (instance) (vigil_nodejs_eventloop_lag_p99_seconds{${J}})`, "{{instance}}"),
        )
        .unit("s")
        .span(6)
        .height(8),
    );
}
