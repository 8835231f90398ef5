/**
 * Canonical type names and the mapping from every spelling we accept (SQL, Postgres
 * information_schema, Spark/OpenLineage, Arrow/pandas, BigQuery) to them. The compatibility
 * rules between canonical types live in compat.ts; the documented table is in README.md.
 */

/** A parsed type. Canonical strings are produced by `formatType`. */
export type TypeNode =
  | { kind: "scalar"; name: string; params?: number[] }
  | { kind: "array"; of: TypeNode }
  | { kind: "map"; key: TypeNode; value: TypeNode }
  /** `fields` only when the type string itself spelled them out (`struct<a:int,b:string>`). */
  | { kind: "struct"; fields?: { name: string; type: TypeNode }[] };

/**
 * `postgres` changes the few names whose meaning differs: int8 is 64-bit (in Arrow/pandas it
 * is 8-bit), float4/float8 are 32/64-bit, bare `char` is char(1).
 */
export type Dialect = "generic" | "postgres";

/** Scalars Vigil knows. Anything else passes through lower-cased and is only equal to itself. */
export const CANONICAL_SCALARS = [
  "boolean",
  "int16",
  "int32",
  "int64",
  "float32",
  "float64",
  "decimal",
  "string",
  "varchar",
  "date",
  "time",
  "timetz",
  "timestamp",
  "timestamptz",
  "interval",
  "bytes",
  "uuid",
  "json",
  "unknown",
] as const;

const scalar = (name: string, params?: number[]): TypeNode =>
  params && params.length > 0 ? { kind: "scalar", name, params } : { kind: "scalar", name };

/** Parameterless spellings → canonical scalar. Keys are lower-case with single spaces. */
const ALIASES: Record<string, string> = {
  // boolean
  boolean: "boolean",
  bool: "boolean",
  // integers (8-bit integers widen into int16: there is no canonical int8)
  int16: "int16",
  smallint: "int16",
  int2: "int16",
  short: "int16",
  tinyint: "int16",
  byte: "int16",
  int8: "int16",
  uint8: "int16",
  smallserial: "int16",
  serial2: "int16",
  int32: "int32",
  int: "int32",
  integer: "int32",
  int4: "int32",
  mediumint: "int32",
  uint16: "int32",
  serial: "int32",
  serial4: "int32",
  int64: "int64",
  bigint: "int64",
  long: "int64",
  uint32: "int64",
  bigserial: "int64",
  serial8: "int64",
  // floating point
  float32: "float32",
  real: "float32",
  float4: "float32",
  float64: "float64",
  double: "float64",
  "double precision": "float64",
  float8: "float64",
  float: "float64",
  number: "float64",
  // text
  string: "string",
  text: "string",
  str: "string",
  citext: "string",
  clob: "string",
  "character varying": "string",
  varchar: "string",
  nvarchar: "string",
  character: "string",
  char: "string",
  nchar: "string",
  bpchar: "string",
  name: "string",
  // time
  date: "date",
  date32: "date",
  time: "time",
  "time without time zone": "time",
  timetz: "timetz",
  "time with time zone": "timetz",
  timestamp: "timestamp",
  "timestamp without time zone": "timestamp",
  datetime: "timestamp",
  timestamp_ntz: "timestamp",
  "datetime64[ns]": "timestamp",
  "datetime64[us]": "timestamp",
  "datetime64[ms]": "timestamp",
  timestamptz: "timestamptz",
  "timestamp with time zone": "timestamptz",
  timestamp_tz: "timestamptz",
  timestamp_ltz: "timestamptz",
  interval: "interval",
  // other
  bytes: "bytes",
  bytea: "bytes",
  binary: "bytes",
  varbinary: "bytes",
  blob: "bytes",
  uuid: "uuid",
  uniqueidentifier: "uuid",
  json: "json",
  jsonb: "json",
  variant: "json",
  any: "json",
  object: "json",
  unknown: "unknown",
  null: "unknown",
  // decimal without precision (numeric in Postgres = arbitrary precision)
  decimal: "decimal",
  numeric: "decimal",
  bignumeric: "decimal",
  bigdecimal: "decimal",
};

const POSTGRES_ALIASES: Record<string, string> = {
  int8: "int64",
  float: "float64",
};

const VARCHAR_NAMES = new Set([
  "varchar",
  "character varying",
  "char",
  "character",
  "nvarchar",
  "nchar",
  "bpchar",
  "string",
]);
const DECIMAL_NAMES = new Set(["decimal", "numeric", "number", "bignumeric", "bigdecimal"]);
const STRUCT_NAMES = new Set(["struct", "record", "row"]);

/** Splits on `sep` at nesting depth 0 of <>, (), []. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "<" || c === "(" || c === "[") depth++;
    else if (c === ">" || c === ")" || c === "]") depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

function resolveScalar(rawName: string, params: number[], dialect: Dialect): TypeNode {
  const name = rawName.toLowerCase().replace(/\s+/g, " ").trim();
  const dt = /^datetime64\[(\w+)(?:,\s*(.+))?\]$/.exec(name);
  if (dt) return scalar(dt[2] ? "timestamptz" : "timestamp");
  if (VARCHAR_NAMES.has(name) && params[0] !== undefined) return scalar("varchar", [params[0]]);
  // Postgres: bare char / character means char(1).
  if (dialect === "postgres" && (name === "char" || name === "character" || name === "bpchar"))
    return scalar("varchar", [1]);
  if (DECIMAL_NAMES.has(name) && params[0] !== undefined)
    return scalar("decimal", [params[0], params[1] ?? 0]);
  if (name === "float" && params[0] !== undefined) return scalar(params[0] <= 24 ? "float32" : "float64");
  const alias = (dialect === "postgres" ? POSTGRES_ALIASES[name] : undefined) ?? ALIASES[name];
  // Time types carry a precision we do not compare (timestamp(3) ≅ timestamp).
  if (alias) return scalar(alias);
  return scalar(name, params);
}

/** Parses any accepted type spelling into a canonical TypeNode. Never throws. */
export function parseType(raw: string, dialect: Dialect = "generic"): TypeNode {
  const s = raw.trim();
  if (s === "") return scalar("unknown");
  if (s.endsWith("[]")) return { kind: "array", of: parseType(s.slice(0, -2), dialect) };
  const generic = /^([A-Za-z_]+)\s*<(.*)>$/s.exec(s);
  if (generic) {
    const head = generic[1]!.toLowerCase();
    const inner = generic[2]!;
    if (head === "array" || head === "list") return { kind: "array", of: parseType(inner, dialect) };
    if (head === "map") {
      const [k, v] = splitTop(inner, ",");
      return { kind: "map", key: parseType(k ?? "", dialect), value: parseType(v ?? "", dialect) };
    }
    if (STRUCT_NAMES.has(head)) {
      const fields = splitTop(inner, ",").map((part) => {
        // Spark writes `name:type`, BigQuery `name TYPE`.
        const m = /^`?([^`:\s]+)`?\s*(?::|\s)\s*(.+)$/s.exec(part);
        return m ? { name: m[1]!, type: parseType(m[2]!, dialect) } : { name: part, type: scalar("unknown") };
      });
      return { kind: "struct", fields };
    }
  }
  if (STRUCT_NAMES.has(s.toLowerCase())) return { kind: "struct" };
  if (s.toLowerCase() === "array" || s.toLowerCase() === "list") return { kind: "array", of: scalar("json") };
  // `name(params) rest`, e.g. numeric(10, 2), character varying(20), timestamp(3) with time zone.
  const m = /^([^(]*)\(([^)]*)\)(.*)$/s.exec(s);
  if (m) {
    const params = m[2]!
      .split(",")
      .map((p) => Number.parseInt(p.trim(), 10))
      .filter((n) => Number.isFinite(n));
    return resolveScalar(`${m[1]!.trim()} ${m[3]!.trim()}`, params, dialect);
  }
  return resolveScalar(s, [], dialect);
}

/** The canonical string of a type: `int64`, `decimal(10,2)`, `array<varchar(20)>`, `struct`. */
export function formatType(t: TypeNode): string {
  switch (t.kind) {
    case "scalar":
      return t.params && t.params.length > 0 ? `${t.name}(${t.params.join(",")})` : t.name;
    case "array":
      return `array<${formatType(t.of)}>`;
    case "map":
      return `map<${formatType(t.key)},${formatType(t.value)}>`;
    case "struct":
      return "struct";
  }
}

export function canonicalType(raw: string, dialect: Dialect = "generic"): string {
  return formatType(parseType(raw, dialect));
}

/** True when values of this type carry nested fields: struct, array<struct>, array<array<struct>>… */
export function holdsFields(t: TypeNode): boolean {
  if (t.kind === "struct") return true;
  if (t.kind === "array") return holdsFields(t.of);
  return false;
}

/** Wraps `struct` in as many arrays as `t` has: used when fields come from elsewhere. */
export function structLike(t: TypeNode): TypeNode {
  if (t.kind === "array") return { kind: "array", of: structLike(t.of) };
  return { kind: "struct" };
}

/**
 * One type that holds every branch of a union, or undefined (the caller reads the value as json):
 * equal types are that type; integers and floats widen numerically (int + float → float64).
 */
export function unifyTypes(types: TypeNode[]): TypeNode | undefined {
  const names = types.map(formatType);
  if (names.every((n) => n === names[0])) return types[0];
  const numeric = ["int16", "int32", "int64", "float32", "float64"];
  if (names.every((n) => numeric.includes(n))) {
    if (names.some((n) => n.startsWith("float"))) return scalar("float64");
    return scalar("int64");
  }
  return undefined;
}
