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

/** Predictions of the selected models in the range (predictions_model_ts_idx serves it). */
const PREDICTIONS = `$__timeFilter(p.ts) AND ${inProjects("p.project_id")} AND p.model IN ($model)`;
/** One row per broken rule of a stored prediction (predictions.validation holds them). */
const VIOLATIONS = `FROM predictions p, jsonb_array_elements(p.validation) v
WHERE ${PREDICTIONS} AND p.flagged`;

export function dataQuality() {
  return vigilDashboard(
    "vigil-data-quality",
    "Vigil / Data quality",
    "Contract violations by model, field and rule, schema changes of datasets, and how fresh each model's predictions and each dataset are.",
  )
    .withVariable(datasourceVariables({ postgres: true })[0]!)
    .withVariable(vigilUrlVariable())
    .withVariable(projectVariable())
    .withVariable(
      sqlVariable(
        "model",
        "Model",
        `SELECT model FROM contracts WHERE ${inProjects()} UNION SELECT model FROM monitors WHERE ${inProjects()} ORDER BY 1`,
      ),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Rows breaking their contract")
        .description("Stored predictions flagged by their model's contract in the range, and their share.")
        .withTarget(
          sql(`SELECT count(*) FILTER (WHERE p.flagged) AS "flagged rows", avg(p.flagged::int)::float8 AS "flagged share"
FROM predictions p WHERE ${PREDICTIONS}`),
        )
        .overrideByName("flagged share", [{ id: "unit", value: "percentunit" }])
        .span(8)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Schema changes")
        .withTarget(
          sql(`SELECT count(*) AS "changes", count(*) FILTER (WHERE breaking) AS "breaking"
FROM schema_changes WHERE $__timeFilter(created_at) AND ${inProjects()}`),
        )
        .span(8)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Overdue datasets")
        .description("Datasets whose contract sets a freshness limit and that were not written within it.")
        .withTarget(
          sql(`SELECT count(*) AS "overdue" FROM dataset_contracts
WHERE ${inProjects()} AND batch->>'freshnessSeconds' IS NOT NULL
  AND (last_written_at IS NULL
    OR last_written_at < now() - make_interval(secs => (batch->>'freshnessSeconds')::float8))`),
        )
        .span(8)
        .height(5),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Violations by field and rule")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(p.ts, $__interval),
  p.model || ': ' || (v->>'field') || ' ' || (v->>'rule') AS metric, count(*) AS "violations"
${VIOLATIONS}
GROUP BY 1, 2 ORDER BY 1`,
            "time_series",
          ),
        )
        .span(12)
        .height(8),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Flagged share by model")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(p.ts, $__interval), p.model AS metric, avg(p.flagged::int)::float8 AS "flagged"
FROM predictions p WHERE ${PREDICTIONS}
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
      new table.PanelBuilder()
        .title("Violations by model, field and rule")
        .withTarget(
          sql(`SELECT p.model, v->>'field' AS field, v->>'rule' AS rule, count(DISTINCT p.id) AS rows,
  min(v->>'message') AS example, max(p.ts) AS newest
${VIOLATIONS}
GROUP BY 1, 2, 3 ORDER BY rows DESC LIMIT 200`),
        )
        .span(12)
        .height(9),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Schema changes")
        .withTarget(
          sql(`SELECT c.created_at AS "time", n.namespace, n.name AS dataset, c.version, c.kind, c.path,
  c.from_value, c.to_value, c.breaking, c.reason
FROM schema_changes c JOIN lineage_nodes n ON n.id = c.dataset_id
WHERE $__timeFilter(c.created_at) AND ${inProjects("c.project_id")}
ORDER BY c.created_at DESC, c.ordinal LIMIT 200`),
        )
        .span(12)
        .height(9),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Prediction freshness")
        .description("Newest prediction per model with a contract or a monitor, and its age.")
        .withTarget(
          sql(`SELECT m.model, newest.ts AS newest, extract(epoch FROM now() - newest.ts)::float8 AS age_seconds
FROM (SELECT project_id, model FROM contracts WHERE ${inProjects()} AND model IN ($model)
      UNION SELECT project_id, model FROM monitors WHERE ${inProjects()} AND model IN ($model)) m
LEFT JOIN LATERAL (
  SELECT max(p.ts) AS ts FROM predictions p WHERE p.project_id = m.project_id AND p.model = m.model
) newest ON true
ORDER BY age_seconds DESC NULLS FIRST`),
        )
        .overrideByName("age_seconds", [{ id: "unit", value: "s" }])
        .span(12)
        .height(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Dataset freshness")
        .description(
          "Each dataset's last write (OpenLineage run or schema snapshot), its age, and its contract's freshness limit.",
        )
        .withTarget(
          sql(`SELECT n.namespace, n.name AS dataset, n.current_version AS schema_version,
  coalesce(greatest(n.last_event_time, dc.last_written_at), n.updated_at) AS last_written,
  extract(epoch FROM now() - coalesce(greatest(n.last_event_time, dc.last_written_at), n.updated_at))::float8 AS age_seconds,
  (dc.batch->>'freshnessSeconds')::float8 AS freshness_limit_seconds, dc.last_row_count
FROM lineage_nodes n
LEFT JOIN dataset_contracts dc
  ON dc.project_id = n.project_id AND dc.namespace = n.namespace AND dc.dataset = n.name
WHERE n.kind = 'dataset' AND ${inProjects("n.project_id")}
ORDER BY age_seconds DESC LIMIT 200`),
        )
        .overrideByRegexp(".*_seconds", [{ id: "unit", value: "s" }])
        .span(12)
        .height(8),
    );
}
