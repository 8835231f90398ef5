/**
 * The text Grafana's PostgreSQL datasource sends to the database for a panel's rawSql, so tests run
 * exactly what a Grafana user's panels would. Three steps, in Grafana's order:
 *
 * 1. Template variables, in the browser (public/app/features/templating/template_srv.ts with the
 *    SQL datasources' interpolateVariable): `$name`, `${name}`, `${name:format}` and `[[name]]`.
 *    A multi-valued or include-all variable becomes its values, each a quoted SQL literal (`'`
 *    doubled), joined by `,`; a single-valued one is its value with `'` doubled, unquoted. "All"
 *    without a custom all-value is every option. Unknown names are left as they are.
 * 2. The backend's sqleng.Interpolate: `$__interval_ms` (milliseconds), `$__interval` (Grafana's
 *    short form: 30s, 1m, 2h), `$__unixEpochFrom()`, `$__unixEpochTo()`.
 * 3. The PostgreSQL macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go): every match of
 *    `\$([_a-zA-Z0-9]+)\(([^)]*)\)` (so a macro argument cannot hold a parenthesis), arguments split
 *    on `,` and trimmed:
 *    - `$__time(c)` → `c AS "time"`; `$__timeEpoch(c)` → `extract(epoch from c) as "time"`
 *    - `$__timeFilter(c)` → `c BETWEEN 'from' AND 'to'` (UTC, Go's RFC3339Nano: no trailing zeros)
 *    - `$__timeFrom()` / `$__timeTo()` → `'from'` / `'to'`
 *    - `$__timeGroup(c, interval[, fill])` → `floor(extract(epoch from c)/S)*S` (S seconds); when the
 *      call is directly followed by `,` it is `$__timeGroupAlias` (the pre-5.3 compatibility rule)
 *    - `$__timeGroupAlias(…)` → the same plus ` AS "time"`
 *    - `$__unixEpochFilter(c)` → `c >= fromSeconds AND c <= toSeconds`
 *    - anything else is an error ("unknown macro"), as in Grafana.
 */

export type VariableValue = string | string[];

export interface GrafanaVariable {
  /** What the dashboard's selection is: one value, or several (a multi or include-all variable). */
  value: VariableValue;
  multi: boolean;
}

export interface QueryContext {
  from: Date;
  to: Date;
  /** The panel's $__interval, in milliseconds. */
  intervalMs: number;
  variables: Record<string, GrafanaVariable>;
}

const quoteLiteral = (v: string) => `'${v.replaceAll("'", "''")}'`;

/** SqlDatasource.interpolateVariable. */
function formatValue(value: VariableValue, multi: boolean): string {
  if (Array.isArray(value)) return value.map(quoteLiteral).join(",");
  return multi ? quoteLiteral(value) : value.replaceAll("'", "''");
}

/** template_srv's variableRegex: $var, [[var]], ${var}, ${var.fieldPath}, ${var:format}. */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Grafana's gtime.FormatInterval: the largest whole unit. */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, "y"],
    [7 * 86_400_000, "w"],
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return `${ms}ms`;
}

/** gtime.ParseInterval for the forms panels use (number + ms, s, m, h, d, w). */
export function parseIntervalSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`error parsing interval ${text}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as "s"];
  return Number(m[1]) * factor;
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : "Z"));
}

/** %v of a Go float64 number of seconds, as the macros print intervals. */
const goFloat = (n: number) => String(n);

function interpolateVariables(sql: string, ctx: QueryContext): string {
  const builtins: Record<string, string> = {
    __interval: formatInterval(ctx.intervalMs),
    __interval_ms: String(ctx.intervalMs),
  };
  return sql.replace(VARIABLE, (match, a?: string, b?: string, _bf?: string, c?: string) => {
    const name = a ?? b ?? c!;
    if (name in builtins) return builtins[name]!;
    const variable = ctx.variables[name];
    if (!variable) return match;
    return formatValue(variable.value, variable.multi);
  });
}

function backendInterpolate(sql: string, ctx: QueryContext): string {
  return sql
    .replaceAll("$__interval_ms", String(ctx.intervalMs))
    .replaceAll("$__interval", formatInterval(ctx.intervalMs))
    .replaceAll("$__unixEpochFrom()", String(Math.floor(ctx.from.getTime() / 1000)))
    .replaceAll("$__unixEpochTo()", String(Math.floor(ctx.to.getTime() / 1000)));
}

const MACRO = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

function evaluateMacro(name: string, args: string[], ctx: QueryContext): string {
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  const column = () => {
    if (!args[0]) throw new Error(`missing time column argument for macro ${name}`);
    return args[0];
  };
  switch (name) {
    case "__time":
      return `${column()} AS "time"`;
    case "__timeEpoch":
      return `extract(epoch from ${column()}) as "time"`;
    case "__timeFilter":
      return `${column()} BETWEEN '${from}' AND '${to}'`;
    case "__timeFrom":
      return `'${from}'`;
    case "__timeTo":
      return `'${to}'`;
    case "__timeGroup": {
      if (args.length < 2)
        throw new Error(`macro ${name} needs time column and interval and optional fill value`);
      const s = goFloat(parseIntervalSeconds(args[1]!.replaceAll("'", "")));
      return `floor(extract(epoch from ${args[0]})/${s})*${s}`;
    }
    case "__timeGroupAlias":
      return `${evaluateMacro("__timeGroup", args, ctx)} AS "time"`;
    case "__unixEpochFilter": {
      const c = column();
      const f = Math.floor(ctx.from.getTime() / 1000);
      const t = Math.floor(ctx.to.getTime() / 1000);
      return `${c} >= ${f} AND ${c} <= ${t}`;
    }
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

function expandMacros(sql: string, ctx: QueryContext): string {
  return sql.replace(MACRO, (match: string, name: string, argText: string) => {
    const args = argText.split(",").map((a) => a.trim());
    // macros.go: "$__timeGroup(...)," is the old way of asking for the alias.
    // macros.go looks at the first occurrence of the same call text.
    const at = sql.indexOf(match);
    const effective = name === "__timeGroup" && sql[at + match.length] === "," ? "__timeGroupAlias" : name;
    return evaluateMacro(effective, args, ctx);
  });
}

/** The SQL Grafana sends for a panel's rawSql. */
export function grafanaSql(rawSql: string, ctx: QueryContext): string {
  return expandMacros(backendInterpolate(interpolateVariables(rawSql, ctx), ctx), ctx);
}
