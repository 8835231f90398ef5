/**
 * Inferring a contract from a reference window (pure): a starting point the user then edits.
 * - every non-null value a vector → vector (with the dimension when all agree);
 * - booleans → boolean; integers → integer; other numbers → number; bounds are the observed
 *   range widened by 10% of its width on each side, so the reference's own extremes pass;
 * - strings with few distinct values (≤ 50 and ≤ half the non-null count) → category with those
 *   values; other strings → string;
 * - a field ever null/absent → nullable, with maxNullRate twice the observed rate (at least 5%).
 * Mixed kinds take the commonest one.
 */

import type { FieldRule } from "../schemas/contracts/rules.ts";
import type { FeatureValue } from "./model.ts";

export const MAX_INFERRED_CATEGORIES = 50;

interface FieldStats {
  nulls: number;
  kinds: Record<"number" | "string" | "boolean" | "vector", number>;
  integers: boolean;
  min: number;
  max: number;
  dims: Set<number>;
  strings: Set<string>;
}

export function inferFields(rows: readonly Record<string, FeatureValue>[]): Record<string, FieldRule> {
  const stats = new Map<string, FieldStats>();
  for (const row of rows) {
    for (const key in row) {
      let s = stats.get(key);
      if (!s) {
        s = {
          nulls: 0,
          kinds: { number: 0, string: 0, boolean: 0, vector: 0 },
          integers: true,
          min: Number.POSITIVE_INFINITY,
          max: Number.NEGATIVE_INFINITY,
          dims: new Set(),
          strings: new Set(),
        };
        stats.set(key, s);
      }
      const v = row[key];
      if (v === null || v === undefined) s.nulls++;
      else if (Array.isArray(v)) {
        s.kinds.vector++;
        s.dims.add(v.length);
      } else if (typeof v === "number") {
        s.kinds.number++;
        if (!Number.isInteger(v)) s.integers = false;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
      } else if (typeof v === "boolean") s.kinds.boolean++;
      else {
        s.kinds.string++;
        if (s.strings.size <= MAX_INFERRED_CATEGORIES) s.strings.add(v);
      }
    }
  }
  const fields: Record<string, FieldRule> = {};
  for (const [name, s] of [...stats].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const missing = rows.length - (Object.values(s.kinds).reduce((a, b) => a + b, 0) + s.nulls) + s.nulls;
    const nullRate = rows.length ? missing / rows.length : 0;
    const kind = (Object.entries(s.kinds) as [keyof FieldStats["kinds"], number][]).sort(
      (a, b) => b[1] - a[1],
    )[0]!;
    if (kind[1] === 0) continue; // only nulls: nothing to say about its type
    const nonNull = rows.length - missing;
    let rule: FieldRule;
    if (kind[0] === "vector") {
      rule = { type: "vector", nullable: false };
      if (s.dims.size === 1) rule.dimension = [...s.dims][0]!;
    } else if (kind[0] === "boolean") rule = { type: "boolean", nullable: false };
    else if (kind[0] === "number") {
      const pad = (s.max - s.min) * 0.1;
      rule = {
        type: s.integers ? "integer" : "number",
        nullable: false,
        min: s.integers ? Math.floor(s.min - pad) : s.min - pad,
        max: s.integers ? Math.ceil(s.max + pad) : s.max + pad,
      };
    } else if (s.strings.size <= MAX_INFERRED_CATEGORIES && s.strings.size <= nonNull / 2) {
      rule = { type: "category", nullable: false, values: [...s.strings].sort() };
    } else rule = { type: "string", nullable: false };
    if (missing > 0) {
      rule.nullable = true;
      rule.maxNullRate = Math.min(1, Math.max(0.05, 2 * nullRate));
    }
    fields[name] = rule;
  }
  return fields;
}
