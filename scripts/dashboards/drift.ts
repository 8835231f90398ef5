import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { DRIFT_TESTS, SCORE_CAP } from "../../src/drift/stats/index.ts";
import {
  datasourceVariables,
  hiddenColumns,
  inProjects,
  linkColumn,
  projectVariable,
  promql,
  sql,
  sqlVariable,
  vigilDashboard,
  vigilUrlVariable,
} from "./common.ts";

const REPORT_URL = "${vigil_url}/reports/${__data.fields.report_id}";

const P_VALUE_TESTS = [...DRIFT_TESTS.values()]
  .filter((t) => t.verdict === "p_value")
  .map((t) => `'${t.name}'`)
  .join(", ");

/**
 * The normalised drift score of one stored feature result `f` (≥ 1 ⇔ drifted), in SQL: the
 * formula of src/drift/stats/score.ts, which /metrics/drift exposes as vigil_drift_score.
 */
const num = (key: string) => `(f->>'${key}')::float8`;
export const SCORE_SQL = `CASE
    WHEN NOT (${num("threshold")} > 0) THEN NULL
    WHEN f->>'test' IN (${P_VALUE_TESTS}) THEN CASE
      WHEN ${num("pValue")} = 0 THEN ${SCORE_CAP}
      WHEN ${num("pValue")} > 0 AND ${num("threshold")} < 1
        THEN least(ln(${num("pValue")}) / ln(${num("threshold")}), ${SCORE_CAP}) END
    WHEN f->>'statistic' IS NULL THEN CASE WHEN (f->>'drifted')::boolean THEN ${SCORE_CAP} END
    ELSE least(greatest(${num("statistic")}, 0) / ${num("threshold")}, ${SCORE_CAP})
  END`;

/** Each report's feature results and its prediction (output) result, one row each. */
const FEATURES = `jsonb_array_elements(r.features || CASE WHEN jsonb_typeof(r.prediction) = 'object'
    THEN jsonb_build_array(r.prediction) ELSE '[]'::jsonb END) AS f`;

const REPORTS = "FROM drift_reports r JOIN monitors m ON m.id = r.monitor_id";
const SELECTED = `${inProjects("r.project_id")} AND m.model IN ($model)`;

/** The newest report of each monitor (whatever the time range: "where things stand"). */
const LATEST = `WITH latest AS (
  SELECT DISTINCT ON (r.monitor_id) r.*, m.name AS monitor, m.model
  ${REPORTS}
  WHERE ${SELECTED}
  ORDER BY r.monitor_id, r.created_at DESC
)`;

const promSelector = `project=~"$project", model=~"$model"`;

export function drift() {
  const [pg, prom] = datasourceVariables({ postgres: true, prometheus: true });
  return vigilDashboard(
    "vigil-drift",
    "Vigil / Drift",
    "Drift monitors per model and feature: the normalised score (≥ 1 means drifted, whatever the test), verdicts, the share of drifted features, and the newest reports with links to Vigil.",
  )
    .withVariable(pg!)
    .withVariable(prom!)
    .withVariable(vigilUrlVariable())
    .withVariable(projectVariable())
    .withVariable(
      sqlVariable("model", "Model", `SELECT DISTINCT model FROM monitors WHERE ${inProjects()} ORDER BY 1`),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Monitors drifted now")
        .description("Monitors whose newest report says drifted.")
        .withTarget(
          sql(`${LATEST}
SELECT count(*) FILTER (WHERE drifted) AS "drifted", count(*) AS "monitors" FROM latest`),
        )
        .thresholds(
          new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
            { value: null, color: "green" },
            { value: 1, color: "red" },
          ]),
        )
        .span(6)
        .height(5),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Newest report per monitor")
        .withTarget(
          sql(`${LATEST}
SELECT monitor, model, created_at AS "time", status, drifted, share,
  (SELECT count(*) FROM jsonb_array_elements(features) e WHERE (e->>'drifted')::boolean) AS drifted_features,
  jsonb_array_length(features) AS features, monitor_id, id AS report_id
FROM latest ORDER BY drifted DESC, share DESC NULLS LAST, monitor`),
        )
        .overrides([
          linkColumn("monitor", "Open the report in Vigil", REPORT_URL),
          ...hiddenColumns("monitor_id", "report_id"),
        ])
        .overrideByName("share", [{ id: "unit", value: "percentunit" }])
        .span(18)
        .height(5),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Drift score by feature")
        .description("Each report's normalised score per feature: 1 is the test's threshold.")
        .withTarget(
          sql(
            `SELECT r.created_at AS "time", m.name || ' / ' || (f->>'name') AS metric,
  ${SCORE_SQL} AS "score"
${REPORTS}, ${FEATURES}
WHERE ${SELECTED} AND $__timeFilter(r.created_at) AND r.status = 'ok'
ORDER BY 1`,
            "time_series",
          ),
        )
        .thresholdsStyle(
          new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
        )
        .thresholds(
          new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
            { value: null, color: "green" },
            { value: 1, color: "red" },
          ]),
        )
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Share of drifted features by monitor")
        .withTarget(
          sql(
            `SELECT r.created_at AS "time", m.name AS metric, r.share AS "share"
${REPORTS}
WHERE ${SELECTED} AND $__timeFilter(r.created_at) AND r.share IS NOT NULL
ORDER BY 1`,
            "time_series",
          ),
        )
        .unit("percentunit")
        .min(0)
        .max(1)
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Verdicts in the newest reports")
        .withTarget(
          sql(`${LATEST}
SELECT r.monitor, r.model, f->>'name' AS feature, f->>'test' AS test,
  (f->>'statistic')::float8 AS statistic, (f->>'pValue')::float8 AS p_value,
  (f->>'threshold')::float8 AS threshold, ${SCORE_SQL} AS score,
  (f->>'drifted')::boolean AS drifted, r.monitor_id, r.id AS report_id
FROM latest r, ${FEATURES}
WHERE r.status = 'ok'
ORDER BY drifted DESC, score DESC NULLS LAST`),
        )
        .overrides([
          linkColumn("feature", "Open the report in Vigil", REPORT_URL),
          ...hiddenColumns("monitor_id", "report_id"),
        ])
        .span(24)
        .height(10),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("vigil_drift_score (Prometheus)")
        .description("The same score as scraped from /metrics/drift: one series per monitor and feature.")
        .withTarget(
          promql(
            `max by (monitor, feature) (vigil_drift_score{${promSelector}})`,
            "{{monitor}} / {{feature}}",
          ),
        )
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Drifted features and share (Prometheus)")
        .withTarget(
          promql(`sum by (monitor) (vigil_drift_detected{${promSelector}})`, "{{monitor}} drifted features"),
        )
        .withTarget(promql(`max by (monitor) (vigil_drift_share{${promSelector}})`, "{{monitor}} share", "B"))
        .span(12)
        .height(8),
    );
}
