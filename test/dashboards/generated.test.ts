import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { createGenerator } from "ts-json-schema-generator";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderDashboards } from "../../scripts/dashboards/index.ts";
import { committedDashboards, GRAFANA_DIR, ROOT } from "./load.ts";

type Json = Record<string, any>;

describe("dashboards/grafana", () => {
  it("is what `npm run dashboards:build` generates (run it after changing scripts/dashboards)", () => {
    const generated = renderDashboards();
    const committed = readdirSync(GRAFANA_DIR).filter((f) => f.endsWith(".json"));
    expect(committed.sort()).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) {
      expect(readFileSync(join(GRAFANA_DIR, file), "utf8"), file).toBe(text);
    }
    // service health, drift, incidents, data quality, retraining, Vigil itself
    expect(generated.size).toBe(6);
  });

  let validate: ValidateFunction;
  // Compiling the SDK's types takes seconds, more on a busy machine: a hook has the longer timeout.
  beforeAll(() => {
    const schema = createGenerator({
      path: join(ROOT, "scripts/dashboards/schema.ts"),
      tsconfig: join(ROOT, "tsconfig.json"),
      type: "VigilDashboard",
      skipTypeCheck: true,
      additionalProperties: false,
      expose: "none",
    }).createSchema("VigilDashboard");
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  });

  it("each dashboard validates against the foundation SDK's dashboard types (as a JSON Schema)", () => {
    // The SDK's TypeScript types, with the query and panel-options variants closed
    // (scripts/dashboards/schema.ts), as a JSON Schema: unknown keys, wrong types and missing
    // required fields are errors.
    for (const { file, model } of committedDashboards()) {
      const valid = validate(model);
      expect(validate.errors ?? [], file).toEqual([]);
      expect(valid).toBe(true);
      expect(model.schemaVersion, file).toBeGreaterThanOrEqual(39); // Grafana 11
    }
    // The schema has teeth: a misspelt panel key, a wrong type, a stray query field.
    const { model } = committedDashboards()[0]!;
    const broken = (edit: (m: Json) => void) => {
      const copy = structuredClone(model);
      edit(copy);
      return validate(copy);
    };
    expect(broken((m) => (m.panels[0].gridpos = m.panels[0].gridPos))).toBe(false);
    expect(broken((m) => (m.panels[0].gridPos.w = "wide"))).toBe(false);
    expect(broken((m) => (m.panels[0].targets[0].sql = "select 1"))).toBe(false);
    expect(broken((m) => (m.panels[0].type = "graph"))).toBe(false);
  });

  it("uids are unique, every query's datasource is one of the dashboard's datasource variables", () => {
    const uids = new Set<string>();
    for (const { file, model } of committedDashboards()) {
      expect(uids.has(model.uid), file).toBe(false);
      uids.add(model.uid);
      const vars = new Map<string, Json>(model.templating.list.map((v: Json) => [v.name, v]));
      for (const panel of model.panels) {
        expect(panel.targets.length, `${file} / ${panel.title}`).toBeGreaterThan(0);
        for (const q of panel.targets) {
          const name = /^\$\{(\w+)\}$/.exec(q.datasource.uid)?.[1];
          const variable = vars.get(name ?? "");
          expect(variable?.type, `${file} / ${panel.title}: ${q.datasource.uid}`).toBe("datasource");
          expect(variable!.query, `${file} / ${panel.title}`).toBe(q.datasource.type);
        }
      }
      // Every SQL query but the project list is scoped to the selected projects.
      const sqls = [
        ...model.panels.flatMap((p: Json) => p.targets.map((q: Json) => q.rawSql)),
        ...model.templating.list
          .filter(
            (v: Json) =>
              v.type === "query" &&
              v.datasource.type === "grafana-postgresql-datasource" &&
              v.name !== "project",
          )
          .map((v: Json) => v.query),
      ].filter((q): q is string => typeof q === "string");
      for (const q of sqls)
        expect(q, file).toMatch(/project_id IN \(SELECT id FROM projects WHERE name IN \(\$project\)\)/);
      // Every $variable a query, a variable or a link names is defined (or is Grafana's own).
      const text = JSON.stringify(model);
      for (const m of text.matchAll(/\$\{?(\w+)/g)) {
        const name = m[1]!;
        if (name.startsWith("__")) continue; // $__timeFilter, $__interval, ${__data…}, $__all
        expect(vars.has(name), `${file}: $${name}`).toBe(true);
      }
    }
  });

  it("provisioning: the datasources' UIDs are the dashboards' defaults, and Grafana loads the folder docker-compose mounts", () => {
    const ds = parse(
      readFileSync(join(ROOT, "dashboards/provisioning/datasources/vigil.yml"), "utf8"),
    ) as Json;
    const byType = new Map<string, string>(ds.datasources.map((d: Json) => [d.type, d.uid]));
    for (const { file, model } of committedDashboards()) {
      for (const v of model.templating.list.filter((x: Json) => x.type === "datasource")) {
        expect(v.current.value, `${file}: ${v.name}`).toBe(byType.get(v.query));
      }
    }
    const providers = parse(
      readFileSync(join(ROOT, "dashboards/provisioning/dashboards/vigil.yml"), "utf8"),
    ) as Json;
    const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as Json;
    const grafana = compose.services.grafana;
    const mount = (grafana.volumes as string[])
      .map((v) => v.split(":"))
      .find(([src]) => src === "./dashboards");
    expect(mount).toBeDefined();
    expect(providers.providers[0].options.path).toBe(`${mount![1]}/grafana`);
    expect(grafana.volumes).toContain("./dashboards/provisioning:/etc/grafana/provisioning:ro");
    // Every ${VAR} the datasources file reads is set for Grafana in docker-compose.yml.
    const text = readFileSync(join(ROOT, "dashboards/provisioning/datasources/vigil.yml"), "utf8");
    for (const m of text.matchAll(/\$\{(\w+)\}/g)) expect(Object.keys(grafana.environment)).toContain(m[1]);
  });
});
