/**
 * What a PromQL expression reads: its metric names and, per selector, the label names it matches
 * on. A tokenizer, not a parser: promtool checks the syntax; this names what the expression needs
 * from Vigil's exposition.
 */
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, "") // matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // label lists
    .replace(/\[[^\]]*\]/g, ""); // ranges
  const names = new Set<string>();
  for (const m of bare.matchAll(/([a-zA-Z_:][\w:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!.toLowerCase()) || /^\d/.test(name!)) continue;
    names.add(name!);
  }
  return [...names];
}

/** metric → label names its selectors match on (`name{label="…"}`). */
export function selectorLabels(expr: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)) {
    const labels = [...m[2]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!);
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), ...labels]);
  }
  return out;
}

/** Grafana's variables in a PromQL expression, replaced as Grafana would for a sample selection. */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "1m")
    .replaceAll("$__interval", "1m")
    .replaceAll("$__range", "1h")
    .replace(/\$\{?(\w+)\}?/g, "(shop|other)"); // a multi-value selection, regex-formatted
}
