import { formatType, parseType, type TypeNode } from "./types.ts";

/**
 * THE type-compatibility table: whether changing a field's canonical type from A to B breaks
 * readers or writers. Anchored on dbt model contracts (any data_type change is breaking) with
 * the widenings the Vigil issue names as safe: every old value is representable, unchanged, in
 * the new type. Everything not listed as a widening is breaking. README.md renders this table.
 */
export interface TypeVerdict {
  breaking: boolean;
  /** "same" | "widening" | "narrowing" | "lossy" | "incompatible" | "undeclared" */
  class: "same" | "widening" | "narrowing" | "lossy" | "incompatible" | "undeclared";
  reason: string;
}

const INT_RANK: Record<string, number> = { int16: 1, int32: 2, int64: 3 };
/** Decimal digits needed to hold every value of an integer type. */
const INT_DIGITS: Record<string, number> = { int16: 5, int32: 10, int64: 19 };
/** Integer types a float represents exactly (float32 has a 24-bit, float64 a 53-bit mantissa). */
const EXACT_IN_FLOAT: Record<string, string[]> = { float32: ["int16"], float64: ["int16", "int32"] };
const FLOAT_RANK: Record<string, number> = { float32: 1, float64: 2 };

/** The documented rules, in order; `compareTypes` implements exactly these. */
export const TYPE_RULES: ReadonlyArray<{
  from: string;
  to: string;
  verdict: TypeVerdict["class"];
  note: string;
}> = [
  { from: "T", to: "T", verdict: "same", note: "no change" },
  {
    from: "unknown",
    to: "T (or T → unknown)",
    verdict: "undeclared",
    note: "not breaking: a side did not declare a type, nothing to compare",
  },
  { from: "int16", to: "int32, int64", verdict: "widening", note: "every value fits" },
  { from: "int32", to: "int64", verdict: "widening", note: "every value fits" },
  { from: "int64 / int32", to: "int32 / int16", verdict: "narrowing", note: "large values no longer fit" },
  { from: "int16", to: "float32, float64", verdict: "widening", note: "exact in the mantissa" },
  { from: "int32", to: "float64", verdict: "widening", note: "exact in the 53-bit mantissa" },
  {
    from: "int32 / int64",
    to: "float32 / float32, float64",
    verdict: "lossy",
    note: "integers beyond 2^24 / 2^53 lose precision",
  },
  {
    from: "intN",
    to: "decimal(p,s)",
    verdict: "widening",
    note: "when p − s ≥ digits of intN (5, 10, 19); `decimal` without precision always",
  },
  { from: "float32", to: "float64", verdict: "widening", note: "every value fits" },
  { from: "float64", to: "float32", verdict: "narrowing", note: "precision and range shrink" },
  { from: "float*, decimal", to: "int*", verdict: "narrowing", note: "fractions are lost" },
  {
    from: "decimal(p,s)",
    to: "decimal(p2,s2)",
    verdict: "widening",
    note: "when s2 ≥ s and p2 − s2 ≥ p − s; otherwise narrowing; `decimal` (unbounded) is the widest",
  },
  {
    from: "decimal ↔ float",
    to: "",
    verdict: "lossy",
    note: "binary floats and exact decimals do not round-trip",
  },
  {
    from: "varchar(n)",
    to: "varchar(m), m ≥ n / string",
    verdict: "widening",
    note: "longer limit or no limit",
  },
  {
    from: "string / varchar(n)",
    to: "varchar(m), m < n",
    verdict: "narrowing",
    note: "long values no longer fit",
  },
  { from: "date", to: "timestamp", verdict: "widening", note: "a date is midnight of that day" },
  { from: "timestamp, timestamptz", to: "date", verdict: "narrowing", note: "the time of day is lost" },
  {
    from: "timestamp",
    to: "timestamptz (and back)",
    verdict: "incompatible",
    note: "the meaning of stored instants changes",
  },
  { from: "array<A>", to: "array<B>", verdict: "widening", note: "follows the rule for A → B" },
  {
    from: "map<K,V>",
    to: "map<K2,V2>",
    verdict: "widening",
    note: "follows the rules for K → K2 and V → V2",
  },
  { from: "struct", to: "struct", verdict: "same", note: "nested fields are diffed one by one" },
  {
    from: "anything else",
    to: "",
    verdict: "incompatible",
    note: "a different type family (e.g. int64 → string, string → int32, x → json)",
  },
];

const same = (): TypeVerdict => ({ breaking: false, class: "same", reason: "same type" });
const widening = (reason: string): TypeVerdict => ({ breaking: false, class: "widening", reason });
const narrowing = (reason: string): TypeVerdict => ({ breaking: true, class: "narrowing", reason });
const lossy = (reason: string): TypeVerdict => ({ breaking: true, class: "lossy", reason });
const incompatible = (reason: string): TypeVerdict => ({ breaking: true, class: "incompatible", reason });

function scalarParts(t: TypeNode): { name: string; params: number[] } | undefined {
  return t.kind === "scalar" ? { name: t.name, params: t.params ?? [] } : undefined;
}

function compareNodes(a: TypeNode, b: TypeNode): TypeVerdict {
  const fa = formatType(a);
  const fb = formatType(b);
  if (fa === fb) return same();
  if (fa === "unknown" || fb === "unknown")
    return {
      breaking: false,
      class: "undeclared",
      reason: `type ${fa === "unknown" ? "was" : "is"} not declared; nothing to compare`,
    };

  if (a.kind === "array" && b.kind === "array") {
    const inner = compareNodes(a.of, b.of);
    return { ...inner, reason: `array element ${fa.slice(6, -1)} → ${fb.slice(6, -1)}: ${inner.reason}` };
  }
  if (a.kind === "map" && b.kind === "map") {
    const k = compareNodes(a.key, b.key);
    const v = compareNodes(a.value, b.value);
    const worst = k.breaking ? k : v;
    return { ...worst, reason: `map key: ${k.reason}; map value: ${v.reason}` };
  }
  const sa = scalarParts(a);
  const sb = scalarParts(b);
  if (!sa || !sb) return incompatible(`${fa} → ${fb} changes the shape of the value`);
  const x = sa.name;
  const y = sb.name;

  if (x in INT_RANK && y in INT_RANK)
    return INT_RANK[y]! > INT_RANK[x]!
      ? widening(`${x} → ${y} widens: every value fits`)
      : narrowing(`${x} → ${y} narrows: large values no longer fit`);
  if (x in INT_RANK && y in FLOAT_RANK)
    return EXACT_IN_FLOAT[y]!.includes(x)
      ? widening(`${x} → ${y} widens: every integer is exact in ${y}`)
      : lossy(`${x} → ${y} loses precision for integers beyond 2^${y === "float32" ? 24 : 53}`);
  if (x in INT_RANK && y === "decimal") {
    const [p, s = 0] = sb.params;
    if (p === undefined || p - s >= INT_DIGITS[x]!)
      return widening(`${x} → ${fb} widens: every integer fits`);
    return narrowing(`${x} → ${fb} narrows: ${x} needs ${INT_DIGITS[x]} integer digits, ${fb} has ${p - s}`);
  }
  if (x in FLOAT_RANK && y in FLOAT_RANK)
    return FLOAT_RANK[y]! > FLOAT_RANK[x]!
      ? widening(`${x} → ${y} widens`)
      : narrowing(`${x} → ${y} narrows: precision and range shrink`);
  if ((x in FLOAT_RANK || x === "decimal") && y in INT_RANK)
    return narrowing(`${fa} → ${y} narrows: fractional values are lost`);
  if (x === "decimal" && y === "decimal") {
    const [p1, s1 = 0] = sa.params;
    const [p2, s2 = 0] = sb.params;
    if (p2 === undefined) return widening(`${fa} → decimal widens: unbounded precision`);
    if (p1 === undefined) return narrowing(`decimal → ${fb} narrows: precision becomes bounded`);
    if (s2 >= s1 && p2 - s2 >= p1 - s1) return widening(`${fa} → ${fb} widens`);
    return narrowing(
      s2 < s1
        ? `${fa} → ${fb} narrows: fewer fractional digits (${s1} → ${s2})`
        : `${fa} → ${fb} narrows: fewer integer digits (${p1 - s1} → ${p2 - s2})`,
    );
  }
  if ((x === "decimal" && y in FLOAT_RANK) || (x in FLOAT_RANK && y === "decimal"))
    return lossy(`${fa} → ${fb}: binary floats and exact decimals do not round-trip`);
  if (x === "varchar" && y === "string")
    return widening(`${fa} → string widens: the length limit is removed`);
  if (x === "string" && y === "varchar")
    return narrowing(`string → ${fb} narrows: values longer than ${sb.params[0]} no longer fit`);
  if (x === "varchar" && y === "varchar") {
    const n = sa.params[0] ?? 0;
    const m = sb.params[0] ?? 0;
    return m >= n
      ? widening(`${fa} → ${fb} widens: longer limit`)
      : narrowing(`${fa} → ${fb} narrows: values longer than ${m} no longer fit`);
  }
  if (x === "date" && y === "timestamp")
    return widening("date → timestamp widens: a date is midnight of that day");
  if ((x === "timestamp" || x === "timestamptz") && y === "date")
    return narrowing(`${x} → date narrows: the time of day is lost`);
  if ((x === "timestamp" && y === "timestamptz") || (x === "timestamptz" && y === "timestamp"))
    return incompatible(`${x} → ${y} changes how stored instants are interpreted (time zone)`);
  return incompatible(`${fa} → ${fb} is a different type; readers and writers must change`);
}

/** Classifies a type change between two canonical (or any accepted) type strings. */
export function compareTypes(from: string, to: string): TypeVerdict {
  return compareNodes(parseType(from), parseType(to));
}
