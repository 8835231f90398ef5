import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, any>;

export const ROOT = join(import.meta.dirname, "../..");
export const GRAFANA_DIR = join(ROOT, "dashboards/grafana");

/** The committed dashboards, parsed: what a Grafana user imports. */
export function committedDashboards(): { file: string; model: Json }[] {
  return readdirSync(GRAFANA_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, model: JSON.parse(readFileSync(join(GRAFANA_DIR, file), "utf8")) as Json }));
}

export interface SqlQuery {
  /** "<file> / <panel title> [refId]" or "<file> / variable <name>". */
  where: string;
  rawSql: string;
  format: "table" | "time_series";
  panel?: Json;
}

export interface PromQuery {
  where: string;
  expr: string;
}

const isPostgres = (ds: Json | undefined) => ds?.type === "grafana-postgresql-datasource";
const isPrometheus = (ds: Json | undefined) => ds?.type === "prometheus";

export function sqlQueries(): SqlQuery[] {
  const out: SqlQuery[] = [];
  for (const { file, model } of committedDashboards()) {
    for (const v of model.templating?.list ?? []) {
      if (v.type === "query" && isPostgres(v.datasource)) {
        out.push({ where: `${file} / variable ${v.name}`, rawSql: v.query, format: "table" });
      }
    }
    for (const panel of model.panels ?? []) {
      for (const q of panel.targets ?? []) {
        if (isPostgres(q.datasource)) {
          out.push({
            where: `${file} / ${panel.title} [${q.refId}]`,
            rawSql: q.rawSql,
            format: q.format,
            panel,
          });
        }
      }
    }
  }
  return out;
}

export function promQueries(): PromQuery[] {
  const out: PromQuery[] = [];
  for (const { file, model } of committedDashboards()) {
    for (const v of model.templating?.list ?? []) {
      if (v.type === "query" && isPrometheus(v.datasource)) {
        const query = typeof v.query === "string" ? v.query : v.query.query;
        // label_values(metric, label) is Grafana's, not PromQL: its metric is checked as a selector.
        const m = /^label_values\((\w+),\s*\w+\)$/.exec(query);
        out.push({ where: `${file} / variable ${v.name}`, expr: m ? m[1]! : query });
      }
    }
    for (const panel of model.panels ?? []) {
      for (const q of panel.targets ?? []) {
        if (isPrometheus(q.datasource))
          out.push({ where: `${file} / ${panel.title} [${q.refId}]`, expr: q.expr });
      }
    }
  }
  return out;
}
