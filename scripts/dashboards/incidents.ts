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

const INCIDENT_URL = "${vigil_url}/incidents/${__data.fields.id}";
/** The selected projects and kinds; `t` is the incidents table's alias, if any. */
const selected = (t = "") => `${inProjects(`${t}project_id`)} AND ${t}kind IN ($kind)`;
const SELECTED = selected();

/** When each incident was first acknowledged (its first `acknowledged` event). */
const ACKED = `LEFT JOIN LATERAL (
  SELECT min(e.at) AS acked_at FROM incident_events e
  WHERE e.incident_id = i.id AND e.type = 'acknowledged'
) a ON true`;

const byColumn = (column: "kind" | "severity") =>
  sql(`SELECT ${column}, count(*) AS "open"
FROM incidents WHERE ${SELECTED} AND status <> 'resolved'
GROUP BY 1 ORDER BY 2 DESC`);

export function incidents() {
  return vigilDashboard(
    "vigil-incidents",
    "Vigil / Incidents",
    "Open incidents by kind and severity, how fast they are acknowledged and resolved (MTTA, MTTR), and the fingerprints that recur, with links to each incident in Vigil.",
  )
    .withVariable(datasourceVariables({ postgres: true })[0]!)
    .withVariable(vigilUrlVariable())
    .withVariable(projectVariable())
    .withVariable(
      sqlVariable("kind", "Kind", `SELECT DISTINCT kind FROM incidents WHERE ${inProjects()} ORDER BY 1`),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Open")
        .description("Incidents not resolved (open or acknowledged), whenever they started.")
        .withTarget(
          sql(`SELECT count(*) FILTER (WHERE status = 'open') AS "open",
  count(*) FILTER (WHERE status = 'acknowledged') AS "acknowledged"
FROM incidents WHERE ${SELECTED} AND status <> 'resolved'`),
        )
        .span(6)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("MTTA")
        .description(
          "Mean time from first seen to first acknowledgement, for incidents first seen in the range.",
        )
        .withTarget(
          sql(`SELECT avg(extract(epoch FROM a.acked_at - i.first_seen))::float8 AS "mtta"
FROM incidents i ${ACKED}
WHERE ${selected("i.")}
  AND $__timeFilter(i.first_seen) AND a.acked_at IS NOT NULL`),
        )
        .unit("s")
        .span(6)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("MTTR")
        .description("Mean time from first seen to resolved, for incidents resolved in the range.")
        .withTarget(
          sql(`SELECT avg(extract(epoch FROM resolved_at - first_seen))::float8 AS "mttr"
FROM incidents WHERE ${SELECTED} AND status = 'resolved' AND $__timeFilter(resolved_at)`),
        )
        .unit("s")
        .span(6)
        .height(5),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title("Opened in range")
        .withTarget(
          sql(`SELECT count(*) AS "opened" FROM incidents WHERE ${SELECTED} AND $__timeFilter(first_seen)`),
        )
        .span(6)
        .height(5),
    )
    .withPanel(pieOfRows("Open by kind").withTarget(byColumn("kind")).span(6).height(8))
    .withPanel(pieOfRows("Open by severity").withTarget(byColumn("severity")).span(6).height(8))
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Opened by kind")
        .withTarget(
          sql(
            `SELECT $__timeGroupAlias(first_seen, $__interval), kind AS metric, count(*) AS "opened"
FROM incidents WHERE ${SELECTED} AND $__timeFilter(first_seen)
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
        .title("Top fingerprints")
        .description("Incidents seen in the range, by occurrences.")
        .withTarget(
          sql(`SELECT kind, severity, status, title, fingerprint, count AS occurrences, first_seen, last_seen, id
FROM incidents WHERE ${SELECTED} AND $__timeFilter(last_seen)
ORDER BY count DESC, last_seen DESC LIMIT 50`),
        )
        .overrides([linkColumn("title", "Open the incident in Vigil", INCIDENT_URL), ...hiddenColumns("id")])
        .span(24)
        .height(9),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Open incidents")
        .withTarget(
          sql(`SELECT i.severity, i.kind, i.status, i.title, i.first_seen, i.last_seen, i.count AS occurrences,
  a.acked_at, i.id
FROM incidents i ${ACKED}
WHERE ${selected("i.")} AND i.status <> 'resolved'
ORDER BY CASE i.severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, i.last_seen DESC
LIMIT 200`),
        )
        .overrides([linkColumn("title", "Open the incident in Vigil", INCIDENT_URL), ...hiddenColumns("id")])
        .span(24)
        .height(10),
    );
}
