import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import {
  datasourceVariables,
  inProjects,
  projectVariable,
  sql,
  sqlVariable,
  vigilDashboard,
  vigilUrlVariable,
} from "./common.ts";

/**
 * Entry spans stand for requests: server and consumer spans (OTLP kinds 2 and 5) and roots, so a
 * request is counted once however many internal spans it has. Status code 2 is OTLP's ERROR.
 */
const WHERE = `$__timeFilter(start_time)
  AND ${inProjects()}
  AND service IN ($service)
  AND (kind IN (2, 5) OR parent_span_id IS NULL)`;

const ROUTE = `coalesce(attributes->>'http.route', name)`;

export function serviceHealth() {
  return vigilDashboard(
    "vigil-service-health",
    "Vigil / Service health",
    "Requests, errors and latency per service and route, from the spans Vigil stores (OTLP entry spans).",
  )
    .withVariable(datasourceVariables({ postgres: true })[0]!)
    .withVariable(vigilUrlVariable())
    .withVariable(projectVariable())
    .withVariable(
      sqlVariable(
        "service",
        "Service",
        `SELECT DISTINCT service FROM spans WHERE $__timeFilter(start_time) AND ${inProjects()} ORDER BY 1`,
      ),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Requests")
        .description("Entry spans in the time range.")
        .withTarget(sql(`SELECT count(*) AS "requests" FROM spans WHERE ${WHERE}`))
        .unit("short")
        .span(6)
        .height(4),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Error ratio")
        .description("Share of entry spans with status ERROR.")
        .withTarget(
          sql(`SELECT avg((status_code = 2)::int)::float8 AS "error ratio" FROM spans WHERE ${WHERE}`),
        )
        .unit("percentunit")
        .thresholds(
          new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
            { value: null, color: "green" },
            { value: 0.01, color: "orange" },
            { value: 0.05, color: "red" },
          ]),
        )
        .span(6)
        .height(4),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("p95 latency")
        .withTarget(
          sql(
            `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS "p95" FROM spans WHERE ${WHERE}`,
          ),
        )
        .unit("ms")
        .span(6)
        .height(4),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Services")
        .withTarget(sql(`SELECT count(DISTINCT service) AS "services" FROM spans WHERE ${WHERE}`))
        .span(6)
        .height(4),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Request rate by service")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(start_time, $__interval), service AS metric,
  count(*) * 1000.0 / $__interval_ms AS "requests/s"
FROM spans WHERE ${WHERE}
GROUP BY 1, 2 ORDER BY 1`,
            "time_series",
          ),
        )
        .unit("reqps")
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Error ratio by service")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(start_time, $__interval), service AS metric,
  avg((status_code = 2)::int)::float8 AS "error ratio"
FROM spans WHERE ${WHERE}
GROUP BY 1, 2 ORDER BY 1`,
            "time_series",
          ),
        )
        .unit("percentunit")
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Latency p50 / p95 / p99 by service")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(start_time, $__interval), service AS metric,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS "p50",
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS "p95",
  percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS "p99"
FROM spans WHERE ${WHERE}
GROUP BY 1, 2 ORDER BY 1`,
            "time_series",
          ),
        )
        .unit("ms")
        .span(24)
        .height(9),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Routes")
        .description("Per service and route (http.route, else the span name) over the time range.")
        .withTarget(
          sql(
            `SELECT service, ${ROUTE} AS route,
  count(*) AS requests,
  count(*) FILTER (WHERE status_code = 2) AS errors,
  avg((status_code = 2)::int)::float8 AS error_ratio,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS p50_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS p95_ms,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS p99_ms
FROM spans WHERE ${WHERE}
GROUP BY 1, 2 ORDER BY requests DESC LIMIT 200`,
          ),
        )
        .overrideByName("error_ratio", [{ id: "unit", value: "percentunit" }])
        .overrideByRegexp("p\\d+_ms", [{ id: "unit", value: "ms" }])
        .span(24)
        .height(10),
    );
}
