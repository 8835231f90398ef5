import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";

/**
 * A query of Grafana's bundled PostgreSQL datasource (`grafana-postgresql-datasource`). The
 * foundation SDK has no builder for it, so this one has the shape of the SDK's query builders
 * (a cog.Builder of a cog.Dataquery), and panels take it like any other query.
 */
export interface SqlDataquery extends cog.Dataquery {
  refId: string;
  datasource: dashboard.DataSourceRef;
  /** code: the SQL is edited as text (Grafana's visual builder cannot express these queries). */
  editorMode: "code";
  rawQuery: true;
  rawSql: string;
  /** time_series: columns time, [metric,] value…; table: any columns. */
  format: "time_series" | "table";
}

export const POSTGRES_TYPE = "grafana-postgresql-datasource";

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: SqlDataquery;

  constructor(rawSql: string, datasource: dashboard.DataSourceRef) {
    this.internal = {
      refId: "A",
      datasource,
      editorMode: "code",
      rawQuery: true,
      rawSql: rawSql.trim(),
      format: "table",
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  format(format: SqlDataquery["format"]): this {
    this.internal.format = format;
    return this;
  }

  build(): SqlDataquery {
    return this.internal;
  }
}
