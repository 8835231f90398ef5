import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type * as piechart from "@grafana/grafana-foundation-sdk/piechart";
import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import type * as stat from "@grafana/grafana-foundation-sdk/stat";
import type * as table from "@grafana/grafana-foundation-sdk/table";
import type * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { SqlDataquery } from "./sql.ts";

/**
 * The foundation SDK's dashboard type with its open ends closed for Vigil's dashboards: targets are
 * Prometheus or PostgreSQL queries (the SDK types them as an opaque variant), and each panel's
 * `options` are its plugin's (the SDK types them `any`). test/dashboards/generated.test.ts turns
 * this type into a JSON Schema (ts-json-schema-generator) and validates every committed dashboard.
 */
type Query =
  | Omit<prometheus.dataquery, "_implementsDataqueryVariant">
  | Omit<SqlDataquery, "_implementsDataqueryVariant">;

type PanelOf<T extends string, O> = Omit<dashboard.Panel, "type" | "targets" | "options"> & {
  type: T;
  targets?: Query[];
  options?: O;
};

export type VigilPanel =
  | PanelOf<"timeseries", timeseries.Options>
  | PanelOf<"table", table.Options>
  | PanelOf<"stat", stat.Options>
  | PanelOf<"piechart", piechart.Options>;

export type VigilDashboard = Omit<dashboard.Dashboard, "panels"> & { panels?: VigilPanel[] };
