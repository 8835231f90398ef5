import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import parsePrometheus from "parse-prometheus-text-format";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { grafanaSql, type QueryContext } from "./grafana-sql.ts";
import { ROOT, type SqlQuery, sqlQueries } from "./load.ts";
import { type Seeded, seedDemo } from "./seed.ts";

type Json = Record<string, any>;

// PostgreSQL type OIDs, as both drivers report them.
const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]);
const TIME = new Set([1082, 1114, 1184]);
const TEXT = new Set([25, 1043, 19]);

interface Result {
  columns: { name: string; type: number }[];
  rows: unknown[][];
}

/** Runs `sql` as `role` (SET LOCAL ROLE in a transaction), the way Grafana's read-only login would. */
async function runAs(database: Database, role: string, sql: string): Promise<Result> {
  if (database.pglite) {
    const res = await database.pglite.transaction(async (tx) => {
      await tx.exec(`set local role ${role}`);
      return tx.query<unknown[]>(sql, [], { rowMode: "array" });
    });
    return { columns: res.fields.map((f) => ({ name: f.name, type: f.dataTypeID })), rows: res.rows };
  }
  const res = await database.postgres!.begin(async (tx) => {
    await tx.unsafe(`set local role ${role}`);
    return tx.unsafe(sql).values();
  });
  return {
    columns: (res as unknown as { columns: { name: string; type: number }[] }).columns.map((c) => ({
      name: c.name,
      type: c.type,
    })),
    rows: [...res] as unknown[][],
  };
}

const nonZero = (v: unknown) => v !== null && v !== undefined && Number(v) !== 0 && !Number.isNaN(Number(v));

/** Column names a panel's field overrides and data links rely on. */
function expectedColumns(panel: Json): { names: string[]; patterns: RegExp[] } {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (o.matcher.id === "byName") names.add(o.matcher.options);
    if (o.matcher.id === "byRegexp") patterns.push(new RegExp(`^${o.matcher.options}$`));
    for (const p of o.properties) {
      if (p.id !== "links") continue;
      for (const link of p.value)
        for (const m of link.url.matchAll(/\$\{__data\.fields\.(\w+)\}/g)) names.add(m[1]);
    }
  }
  return { names: [...names], patterns };
}

const queries = sqlQueries();

describeEachDatabase("dashboard SQL on demo data", (db) => {
  const t = useApp(db, { project: "shop" });
  const role = `vigil_grafana_${randomBytes(4).toString("hex")}`;
  let seeded: Seeded;
  let ctx: QueryContext;

  beforeAll(async () => {
    seeded = await seedDemo(t, "shop");
    // The README's read-only role, as shipped, under a name of this suite's own.
    const script = readFileSync(join(ROOT, "dashboards/postgres/grafana-role.sql"), "utf8")
      .replace(/--.*$/gm, "")
      .replaceAll("vigil_grafana", role);
    for (const statement of script
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean)) {
      await db.database.execute(statement);
    }
    const now = Date.now();
    ctx = {
      from: new Date(now - 24 * 3600_000),
      to: new Date(now + 60_000),
      intervalMs: 300_000,
      variables: {
        project: { value: [seeded.project], multi: true },
        service: { value: seeded.services, multi: true },
        model: { value: seeded.models, multi: true },
        kind: { value: seeded.kinds, multi: true },
      },
    };
  });

  afterAll(async () => {
    await db.database.execute(`drop owned by ${role}`).catch(() => {});
    await db.database.execute(`drop role if exists ${role}`).catch(() => {});
  });

  const run = (q: SqlQuery, variables: Partial<QueryContext["variables"]> = {}) =>
    runAs(
      db.database,
      role,
      grafanaSql(q.rawSql, {
        ...ctx,
        variables: { ...ctx.variables, ...variables } as QueryContext["variables"],
      }),
    );

  it(`every SQL query of the dashboards (${queries.length}) runs as the read-only role and returns what its panel reads`, async () => {
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries) {
      // Recent Grafana strips SQL comments before the macros run: the panels carry none.
      expect(q.rawSql, q.where).not.toMatch(/--|\/\*/);
      let res: Result;
      try {
        res = await run(q);
      } catch (error) {
        throw new Error(`${q.where}: ${(error as Error).message}\n${grafanaSql(q.rawSql, ctx)}`);
      }
      const names = res.columns.map((c) => c.name);
      const type = (name: string) => res.columns.find((c) => c.name === name)!.type;
      expect(res.rows.length, `${q.where}: no rows on the demo data`).toBeGreaterThan(0);
      if (!q.panel) {
        expect(res.columns, q.where).toHaveLength(1); // a variable's values
        continue;
      }
      if (q.format === "time_series") {
        expect(names[0], q.where).toBe("time");
        expect(
          NUMERIC.has(type("time")) || TIME.has(type("time")),
          `${q.where}: time type ${type("time")}`,
        ).toBe(true);
        for (const c of res.columns.slice(1)) {
          if (c.name === "metric") expect(TEXT.has(c.type), `${q.where}: metric is text`).toBe(true);
          else expect(NUMERIC.has(c.type), `${q.where}: ${c.name} is a number (${c.type})`).toBe(true);
        }
        const times = res.rows.map((r) => Number(r[0] instanceof Date ? r[0].getTime() : r[0]));
        expect(times, `${q.where}: sorted by time`).toEqual([...times].sort((a, b) => a - b));
      }
      if (q.panel.type === "stat") {
        const numeric = res.columns.map((c, i) => (NUMERIC.has(c.type) ? i : -1)).filter((i) => i >= 0);
        expect(numeric.length, `${q.where}: numeric columns`).toBe(res.columns.length);
        expect(
          numeric.some((i) => nonZero(res.rows[0]![i])),
          `${q.where}: a value on demo data`,
        ).toBe(true);
      }
      if (q.panel.type === "piechart") {
        expect(
          res.columns.map((c) => (NUMERIC.has(c.type) ? "n" : TEXT.has(c.type) ? "t" : "?")),
          q.where,
        ).toEqual(["t", "n"]);
      }
      const expected = expectedColumns(q.panel);
      expect(names, q.where).toEqual(expect.arrayContaining(expected.names));
      for (const p of expected.patterns)
        expect(
          names.some((n) => p.test(n)),
          `${q.where}: ${p}`,
        ).toBe(true);
    }
  });

  it("queries with $__timeFilter see nothing of a range before the demo data", async () => {
    const before = {
      ...ctx,
      from: new Date(Date.now() - 30 * 86_400_000),
      to: new Date(Date.now() - 29 * 86_400_000),
    };
    const filtered = queries.filter((q) => q.rawSql.includes("$__timeFilter("));
    expect(filtered.length).toBeGreaterThan(20);
    for (const q of filtered) {
      const res = await runAs(db.database, role, grafanaSql(q.rawSql, before));
      const numbers = res.rows.flatMap((r) => r.filter((_, i) => NUMERIC.has(res.columns[i]!.type)));
      expect(numbers.filter(nonZero), q.where).toEqual([]);
      if (q.format === "time_series" || !q.panel) expect(res.rows, q.where).toEqual([]);
    }
  });

  it("the read-only role reads no secrets: API keys are out of its reach", async () => {
    await expect(runAs(db.database, role, "select count(*) from api_keys")).rejects.toThrow(
      /permission denied/,
    );
    await expect(runAs(db.database, role, "select count(*) from notification_channels")).rejects.toThrow(
      /permission denied/,
    );
  });

  const find = (where: string) => {
    const q = queries.find((x) => x.where.startsWith(where));
    if (!q) throw new Error(`no query ${where}`);
    return q;
  };

  it("the project variable filters: one project's services, then both (a multi-value selection)", async () => {
    const services = find("service-health.json / variable service");
    const one = await run(services);
    expect(one.rows.map((r) => r[0])).toEqual(seeded.services);
    const both = await run(services, { project: { value: [seeded.project, seeded.other], multi: true } });
    expect(both.rows.map((r) => r[0])).toEqual([...seeded.services, ...seeded.otherServices].sort());
    const projects = await run(find("service-health.json / variable project"));
    expect(projects.rows.map((r) => r[0])).toEqual([seeded.other, seeded.project].sort());
  });

  it("requests count entry spans only: 120 per service, child spans left out", async () => {
    const requests = find("service-health.json / Requests");
    expect(Number((await run(requests)).rows[0]![0])).toBe(240);
    const all = {
      project: { value: [seeded.project, seeded.other], multi: true },
      service: { value: [...seeded.services, ...seeded.otherServices], multi: true },
    };
    expect(Number((await run(requests, all)).rows[0]![0])).toBe(360);
  });

  it("per service, the Routes table adds up to what Vigil's own /api/v1/services counts", async () => {
    const routes = await run(find("service-health.json / Routes"));
    const col = (n: string) => routes.columns.findIndex((c) => c.name === n);
    const window = `from=${ctx.from.toISOString()}&to=${ctx.to.toISOString()}`;
    const api = (await (await t.request(`/api/v1/services?${window}`)).json()) as {
      services: { service: string; requests: number; errors: number }[];
    };
    expect(api.services.map((s) => s.service)).toEqual(seeded.services);
    for (const s of api.services) {
      const mine = routes.rows.filter((r) => r[col("service")] === s.service);
      expect(
        mine.reduce((n, r) => n + Number(r[col("requests")]), 0),
        s.service,
      ).toBe(s.requests);
      expect(
        mine.reduce((n, r) => n + Number(r[col("errors")]), 0),
        s.service,
      ).toBe(s.errors);
    }
  });

  it("the SQL drift score is the one /metrics/drift exports", async () => {
    const verdicts = await run(find("drift.json / Verdicts in the newest reports"));
    const col = (n: string) => verdicts.columns.findIndex((c) => c.name === n);
    const text = await (await t.app.request("/metrics/drift")).text();
    const scores = parsePrometheus(text).find((f) => f.name === "vigil_drift_score")!.metrics;
    expect(verdicts.rows.length).toBe(scores.length);
    for (const row of verdicts.rows) {
      const m = scores.find((s) => s.labels?.feature === row[col("feature")])!;
      expect(Number(row[col("score")]), String(row[col("feature")])).toBeCloseTo(Number(m.value), 9);
    }
    expect(verdicts.rows.some((r) => r[col("drifted")] === true)).toBe(true);
  });
});
