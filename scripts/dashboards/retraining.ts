import * as common from "@grafana/grafana-foundation-sdk/common";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import {
  datasourceVariables,
  hiddenColumns,
  inProjects,
  linkColumn,
  pieOfRows,
  projectVariable,
  sql,
  sqlVariable,
  vigilDashboard,
  vigilUrlVariable,
} from "./common.ts";

const RUNS = `FROM retraining_runs WHERE $__timeFilter(created_at) AND ${inProjects()} AND model IN ($model)`;
/** What became of a run: GitHub's conclusion once completed, else its status (skipped, failed, in flight). */
const OUTCOME = "coalesce(conclusion, status)";

export function retraining() {
  return vigilDashboard(
    "vigil-retraining",
    "Vigil / Retraining",
    "Retraining runs Vigil requested (drift → GitHub Actions workflow): how many, why they were skipped, how they ended, how long they took.",
  )
    .withVariable(datasourceVariables({ postgres: true })[0]!)
    .withVariable(vigilUrlVariable())
    .withVariable(projectVariable())
    .withVariable(
      sqlVariable(
        "model",
        "Model",
        `SELECT DISTINCT model FROM retraining_runs WHERE ${inProjects()} ORDER BY 1`,
      ),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Runs")
        .withTarget(
          sql(`SELECT count(*) AS "requested",
  count(*) FILTER (WHERE status = 'completed') AS "completed",
  count(*) FILTER (WHERE conclusion = 'success') AS "succeeded",
  count(*) FILTER (WHERE status IN ('failed', 'skipped')) AS "not dispatched"
${RUNS}`),
        )
        .span(12)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Median run time")
        .description("From dispatch to completion, for runs completed in the range.")
        .withTarget(
          sql(`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - dispatched_at))::float8 AS "median"
${RUNS} AND completed_at IS NOT NULL AND dispatched_at IS NOT NULL`),
        )
        .unit("s")
        .span(6)
        .height(5),
    )
    .withPanel(
      pieOfRows("Outcomes")
        .withTarget(sql(`SELECT ${OUTCOME} AS outcome, count(*) AS runs ${RUNS} GROUP BY 1 ORDER BY 2 DESC`))
        .span(6)
        .height(5),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Runs by outcome")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(created_at, $__interval), ${OUTCOME} AS metric, count(*) AS "runs"
${RUNS}
GROUP BY 1, 2 ORDER BY 1`,
            "time_series",
          ),
        )
        .drawStyle(common.GraphDrawStyle.Bars)
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Why runs were not dispatched")
        .withTarget(
          sql(`SELECT model, status, coalesce(skip_reason, '') AS reason, count(*) AS runs, max(created_at) AS newest
${RUNS} AND status IN ('skipped', 'failed')
GROUP BY 1, 2, 3 ORDER BY runs DESC`),
        )
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Runs")
        .withTarget(
          sql(`SELECT created_at AS "time", model, monitor_name AS monitor, trigger, status, conclusion, skip_reason,
  produced_version, extract(epoch FROM completed_at - dispatched_at)::float8 AS duration_seconds,
  requested_by, html_url, monitor_id, report_id, id
${RUNS}
ORDER BY created_at DESC LIMIT 200`),
        )
        .overrides([
          linkColumn("html_url", "The workflow run on GitHub", "${__data.fields.html_url}"),
          linkColumn(
            "monitor",
            "The drift report that asked for it, in Vigil",
            "${vigil_url}/reports/${__data.fields.report_id}",
          ),
          ...hiddenColumns("monitor_id", "report_id", "id"),
        ])
        .overrideByName("duration_seconds", [{ id: "unit", value: "s" }])
        .span(24)
        .height(10),
    );
}
