import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as piechart from "@grafana/grafana-foundation-sdk/piechart";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { POSTGRES_TYPE, SqlQueryBuilder } from "./sql.ts";

/**
 * What every Vigil dashboard shares: the two datasources as variables (their defaults are the
 * UIDs of dashboards/provisioning/datasources/vigil.yml, and any other datasource of the type can
 * be picked), the `project` filter, and `vigil_url` for links into Vigil's own pages.
 */
export const DATASOURCE_UIDS = { postgres: "vigil-postgres", prometheus: "vigil-prometheus" } as const;

export const PG = { type: POSTGRES_TYPE, uid: "${vigil_db}" } satisfies dashboard.DataSourceRef;
export const PROM = { type: "prometheus", uid: "${prometheus}" } satisfies dashboard.DataSourceRef;

/** Rows of the selected projects (`project` is multi-valued, so Grafana quotes each value). */
export const inProjects = (column = "project_id") =>
  `${column} IN (SELECT id FROM projects WHERE name IN ($project))`;

export function sql(rawSql: string, format: "time_series" | "table" = "table", refId = "A") {
  return new SqlQueryBuilder(rawSql, PG).format(format).refId(refId);
}

export function promql(expr: string, legend?: string, refId = "A") {
  const q = new prometheus.DataqueryBuilder().expr(expr).range().editorMode(prometheus.QueryEditorMode.Code);
  q.refId(refId).datasource(PROM);
  return legend ? q.legendFormat(legend) : q;
}

export function datasourceVariables(options: { postgres?: boolean; prometheus?: boolean }) {
  const vars: dashboard.DatasourceVariableBuilder[] = [];
  if (options.postgres) {
    vars.push(
      new dashboard.DatasourceVariableBuilder("vigil_db")
        .label("Vigil database")
        .type(POSTGRES_TYPE)
        .current({ text: "Vigil PostgreSQL", value: DATASOURCE_UIDS.postgres }),
    );
  }
  if (options.prometheus) {
    vars.push(
      new dashboard.DatasourceVariableBuilder("prometheus")
        .label("Prometheus")
        .type("prometheus")
        .current({ text: "Vigil Prometheus", value: DATASOURCE_UIDS.prometheus }),
    );
  }
  return vars;
}

/** Where Vigil's pages are, for the links in tables: set it once per Grafana (the default is docker-compose's). */
export function vigilUrlVariable() {
  return new dashboard.TextBoxVariableBuilder("vigil_url")
    .label("Vigil URL")
    .defaultValue("http://localhost:8080")
    .current({ text: "http://localhost:8080", value: "http://localhost:8080" });
}

/** A multi-valued variable listing values from Vigil's database, all selected by default. */
export function sqlVariable(name: string, label: string, query: string) {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PG)
    .query(query)
    .multi(true)
    .includeAll(true)
    .current({ text: "All", value: "$__all" })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

export const projectVariable = () =>
  sqlVariable("project", "Project", "SELECT name FROM projects ORDER BY name").refresh(
    dashboard.VariableRefresh.OnDashboardLoad,
  );

/** A link in a table cell: Grafana's data-link override on one column. */
export function linkColumn(column: string, title: string, url: string) {
  return {
    matcher: { id: "byName", options: column },
    properties: [{ id: "links", value: [{ title, url, targetBlank: true }] }],
  };
}

/** Columns a table panel hides (ids kept only to build links). */
export function hiddenColumns(...columns: string[]) {
  return columns.map((c) => ({
    matcher: { id: "byName", options: c },
    properties: [{ id: "custom.hidden", value: true }],
  }));
}

export function vigilDashboard(uid: string, title: string, description: string) {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["vigil"])
    .editable()
    .refresh("1m")
    .time({ from: "now-24h", to: "now" })
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder("Vigil dashboards")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(["vigil"])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .link(
      new dashboard.DashboardLinkBuilder("Open Vigil")
        .type(dashboard.DashboardLinkType.Link)
        .url("${vigil_url}")
        .targetBlank(true),
    );
}

/** A pie of a (label, number) table: one slice per row, not one per numeric column. */
export function pieOfRows(title: string) {
  return new piechart.PanelBuilder()
    .title(title)
    .pieType(piechart.PieChartType.Donut)
    .displayLabels([piechart.PieChartLabels.Value])
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields(""))
    .legend(
      new piechart.PieChartLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Right)
        .values([piechart.PieChartLegendValues.Value]),
    );
}
