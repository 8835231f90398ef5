import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { promQueries, ROOT } from "./load.ts";
import { metricNames, selectorLabels, withGrafanaVariables } from "./promql.ts";
import { seedDemo } from "./seed.ts";

type Json = Record<string, any>;

/** promtool ships with Debian's `prometheus` package (scripts/ensure-test-tools.sh installs it). */
function findPromtool(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const promtool = findPromtool();
if (!promtool && process.env.CI) throw new Error("CI needs promtool: run scripts/ensure-test-tools.sh");

const PROM_DIR = join(ROOT, "dashboards/prometheus");
const promtoolRun = (...args: string[]) =>
  execFileSync(promtool!, args, { cwd: PROM_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const rules = parse(readFileSync(join(PROM_DIR, "vigil.rules.yml"), "utf8")) as Json;
const ruleExprs: { where: string; expr: string }[] = rules.groups.flatMap((g: Json) =>
  g.rules.map((r: Json) => ({ where: `vigil.rules.yml / ${r.alert}`, expr: r.expr as string })),
);
const dashboardExprs = promQueries();
/** Prometheus' own per-target series, not Vigil's: the one name allowed beyond the exposition. */
const PROMETHEUS_OWN = new Set(["up"]);

describe("PromQL helpers", () => {
  it("name the metrics of an expression, not its functions, labels or keywords", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(vigil_http_request_duration_seconds_bucket{job=~"a", route!="x"}[5m]))) > bool 1',
      ),
    ).toEqual(["vigil_http_request_duration_seconds_bucket"]);
    expect(metricNames("sum by (job) (a_total) / on (job) group_left b_total")).toEqual([
      "a_total",
      "b_total",
    ]);
    expect(selectorLabels('max(x{project=~"$p", model="m"}) + y{route!="u"}')).toEqual(
      new Map([
        ["x", ["project", "model"]],
        ["y", ["route"]],
      ]),
    );
  });
});

describe.skipIf(!promtool)(
  "Prometheus rules and dashboard queries (skipped only where promtool is not installed)",
  () => {
    it("promtool check rules passes on vigil.rules.yml", () => {
      const out = promtoolRun("check", "rules", "vigil.rules.yml");
      expect(out).toMatch(new RegExp(`SUCCESS: ${ruleExprs.length} rules found`));
      expect(ruleExprs.map((r) => r.where.split(" / ")[1])).toEqual(
        expect.arrayContaining([
          "VigilIngestQueueFull",
          "VigilWriteLagHigh",
          "VigilJobFailures",
          "VigilDatabaseUnavailable",
          "VigilDriftDetected",
        ]),
      );
      for (const g of rules.groups) {
        for (const r of g.rules)
          expect(r.annotations.runbook_url, r.alert).toMatch(/^http:\/\/localhost:8080\/ask\?q=/);
      }
    });

    it("the rules' unit tests pass (promtool test rules)", () => {
      expect(promtoolRun("test", "rules", "vigil.rules.test.yml")).toMatch(/SUCCESS/);
    });

    it("prometheus.yml loads the rules file (promtool check config)", () => {
      const out = promtoolRun("check", "config", "prometheus.yml");
      expect(out).toMatch(/SUCCESS: 1 rule files found/);
    });

    it(`every PromQL expression of the dashboards (${dashboardExprs.length}) parses`, () => {
      expect(dashboardExprs.length).toBeGreaterThan(15);
      const dir = mkdtempSync(join(tmpdir(), "vigil-promql-"));
      try {
        // One recording rule per expression: promtool parses each with Prometheus' own parser.
        const file = join(dir, "dashboards.rules.yml");
        const recorded = dashboardExprs.map((q, i) => ({
          record: `vigil:dashboard_expr:${i}`,
          expr: withGrafanaVariables(q.expr),
        }));
        writeFileSync(file, stringify({ groups: [{ name: "dashboards", rules: recorded }] }));
        const out = execFileSync(promtool!, ["check", "rules", file], { encoding: "utf8" });
        expect(out).toMatch(new RegExp(`SUCCESS: ${recorded.length} rules found`));
        // And promtool does reject a broken one, so the check above means something.
        writeFileSync(
          file,
          stringify({
            groups: [{ name: "x", rules: [{ record: "x:y", expr: "sum by (le (rate(x[1m]))" }] }],
          }),
        );
        expect(() => execFileSync(promtool!, ["check", "rules", file], { stdio: "pipe" })).toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describeEachDatabase(
  "metrics the dashboards and rules name",
  (db) => {
    const t = useApp(db, { project: "shop", jobs: true });
    /** sample name → label names seen on its samples, from a scrape of both endpoints. */
    const exposed = new Map<string, Set<string>>();
    let scraped = "";

    beforeAll(async () => {
      await seedDemo(t, "shop");
      // Traffic on an API route, so the HTTP histograms have a route label.
      expect((await t.request("/api/v1/whoami")).status).toBe(200);
      for (const path of ["/metrics", "/metrics/drift"]) {
        const res = await t.app.request(path);
        expect(res.status).toBe(200);
        const text = await res.text();
        scraped += text;
        for (const line of text.split("\n")) {
          const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
          if (!m) continue;
          const labels = exposed.get(m[1]!) ?? new Set<string>();
          for (const l of (m[2] ?? "").matchAll(/(\w+)="/g)) labels.add(l[1]!);
          exposed.set(m[1]!, labels);
        }
      }
    });

    it("every metric and matched label of every expression is exposed by a running Vigil", () => {
      let names = 0;
      for (const { where, expr } of [...dashboardExprs, ...ruleExprs]) {
        const metrics = metricNames(expr);
        expect(metrics.length, where).toBeGreaterThan(0);
        for (const name of metrics) {
          names++;
          if (PROMETHEUS_OWN.has(name)) continue;
          expect(exposed.has(name), `${where}: ${name} is not in /metrics or /metrics/drift`).toBe(true);
        }
        for (const [name, labels] of selectorLabels(expr)) {
          if (PROMETHEUS_OWN.has(name)) continue;
          // job and instance are the scrape's own labels, added by Prometheus.
          for (const label of labels.filter((l) => l !== "job" && l !== "instance")) {
            expect(exposed.get(name)?.has(label), `${where}: ${name} has no label ${label}`).toBe(true);
          }
        }
      }
      expect(names).toBeGreaterThanOrEqual(dashboardExprs.length + ruleExprs.length);
    });

    it("vigil_jobs has every queue in every state, and vigil_database_up is 1", () => {
      expect(exposed.get("vigil_jobs")).toEqual(new Set(["queue", "state"]));
      expect(scraped).toMatch(/^vigil_database_up 1$/m);
      expect(scraped).toMatch(/^vigil_jobs\{queue="[^"]+",state="failed"\} 0$/m);
    });
  },
  ["pglite", "postgres"],
);
