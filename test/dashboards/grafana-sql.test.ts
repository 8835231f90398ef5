import { describe, expect, it } from "vitest";
import { formatInterval, grafanaSql, type QueryContext, rfc3339Nano } from "./grafana-sql.ts";

// The cases of Grafana's own macro tests (pkg/tsdb/grafana-postgresql-datasource/macros_test.go)
// and of its SQL datasources' variable formatting, so the expander the dashboard tests rely on
// says what Grafana says.
const from = new Date("2018-04-12T18:00:00Z");
const to = new Date("2018-04-12T18:05:00Z");
const ctx = (variables: QueryContext["variables"] = {}, intervalMs = 60_000): QueryContext => ({
  from,
  to,
  intervalMs,
  variables,
});

describe("Grafana's PostgreSQL macros", () => {
  it("time column, filter, from and to", () => {
    expect(grafanaSql("select $__time(time_column)", ctx())).toBe('select time_column AS "time"');
    expect(grafanaSql("select min($__time(time_column))", ctx())).toBe('select min(time_column AS "time")');
    expect(grafanaSql("WHERE $__timeFilter(time_column)", ctx())).toBe(
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'",
    );
    expect(grafanaSql("select $__timeFrom()", ctx())).toBe("select '2018-04-12T18:00:00Z'");
    expect(grafanaSql("select $__timeTo()", ctx())).toBe("select '2018-04-12T18:05:00Z'");
    expect(grafanaSql("select $__unixEpochFilter(time)", ctx())).toBe(
      `select time >= ${from.getTime() / 1000} AND time <= ${to.getTime() / 1000}`,
    );
  });

  it("time groups, with the pre-5.3 alias rule and spaces between arguments", () => {
    expect(grafanaSql("SELECT $__timeGroup(time_column,'5m')", ctx())).toBe(
      "SELECT floor(extract(epoch from time_column)/300)*300",
    );
    expect(grafanaSql("SELECT $__timeGroupAlias(time_column,'5m')", ctx())).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"',
    );
    expect(grafanaSql("SELECT $__timeGroup(time_column,'5m'), value", ctx())).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
    );
    expect(grafanaSql("SELECT $__timeGroup(time_column,'5m') as time, value", ctx())).toBe(
      "SELECT floor(extract(epoch from time_column)/300)*300 as time, value",
    );
    expect(grafanaSql("$__timeGroup(time_column , '5m')", ctx())).toBe(
      "floor(extract(epoch from time_column)/300)*300",
    );
    // $__interval is the panel's interval, in Grafana's short form.
    expect(grafanaSql("$__timeGroupAlias(t, $__interval), 1000.0 / $__interval_ms", ctx({}, 120_000))).toBe(
      'floor(extract(epoch from t)/120)*120 AS "time", 1000.0 / 120000',
    );
  });

  it("RFC3339Nano drops trailing zeros of the fraction", () => {
    expect(rfc3339Nano(new Date("1960-02-01T07:00:00.500Z"))).toBe("1960-02-01T07:00:00.5Z");
    expect(rfc3339Nano(new Date("2018-04-12T18:00:00.120Z"))).toBe("2018-04-12T18:00:00.12Z");
    expect(formatInterval(10 * 60_000)).toBe("10m");
    expect(formatInterval(30_000)).toBe("30s");
    expect(formatInterval(7_200_000)).toBe("2h");
  });

  it("an unknown macro or a bad interval is an error, as in Grafana", () => {
    expect(() => grafanaSql("select $__nope(x)", ctx())).toThrow(/unknown macro/);
    expect(() => grafanaSql("select $__timeGroup(x, 'soon')", ctx())).toThrow(/interval/);
    expect(() => grafanaSql("select $__timeFilter()", ctx())).toThrow(/missing time column/);
  });
});

describe("template variables in SQL", () => {
  it("multi-valued: each value a quoted literal; single: escaped, unquoted; unknown: left", () => {
    const variables = {
      project: { value: ["shop", "o'hare"], multi: true },
      one: { value: "shop", multi: true },
      raw: { value: "it's", multi: false },
    };
    expect(grafanaSql("name IN ($project)", ctx(variables))).toBe("name IN ('shop','o''hare')");
    expect(grafanaSql("name IN (${project})", ctx(variables))).toBe("name IN ('shop','o''hare')");
    expect(grafanaSql("name IN ([[project]])", ctx(variables))).toBe("name IN ('shop','o''hare')");
    expect(grafanaSql("name IN ($one)", ctx(variables))).toBe("name IN ('shop')");
    expect(grafanaSql("x = '$raw'", ctx(variables))).toBe("x = 'it''s'");
    expect(grafanaSql("x = $missing", ctx(variables))).toBe("x = $missing");
  });
});
