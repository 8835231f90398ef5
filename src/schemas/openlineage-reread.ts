/**
 * Snapshots read from OpenLineage schema facets before Vigil knew the facet's nested-type
 * conventions hold the facet's structure literally: an `array` with one nested `_element` became
 * `array<struct>` with a field `_element`, a `map` with `key`/`value` a `struct` with those two
 * fields, a `union` with `_0`, `_1` a struct of those. Such a snapshot keeps its content and hash;
 * but when the same facet is sent again it reads differently, and diffing the old reading against
 * the new one would report a breaking change (struct → string) that no producer made.
 *
 * So the version before a new OpenLineage snapshot is read again, as a facet, before the diff:
 * the literal structure is rebuilt from the canonical fields and read with today's conventions.
 * `_element` is unambiguous. A `struct` of exactly `key` and `value` becomes a map, and a struct of
 * `_`-named fields a union, only where the new snapshot has a map (or a non-struct) at that path,
 * since a real struct may have such fields. Re-reading a snapshot already read with the
 * conventions changes nothing.
 */
import type { CanonicalField, CanonicalSchema } from "./canonical.ts";
import { Budget } from "./forms/budget.ts";
import { convertFields, type InputField } from "./forms/vigil.ts";
import { formatType, holdsFields, parseType } from "./types.ts";

const isStructField = (f: CanonicalField | undefined) => f !== undefined && holdsFields(parseType(f.type));

/** Hints for the nested fields of `p`, taken from the new reading of the same field. */
function childHints(facetType: string, hint: CanonicalField | undefined): Map<string, CanonicalField> {
  const out = new Map<string, CanonicalField>();
  if (!hint) return out;
  const t = parseType(hint.type);
  if (facetType === "array" && t.kind === "array") {
    out.set("_element", { name: "_element", type: formatType(t.of), nullable: true, fields: hint.fields });
  } else if (facetType === "map" && t.kind === "map") {
    out.set("key", { name: "key", type: formatType(t.key), nullable: true });
    out.set("value", { name: "value", type: formatType(t.value), nullable: true });
  } else {
    for (const f of hint.fields ?? []) out.set(f.name, f);
  }
  return out;
}

/** The facet type the old reading most likely came from. */
function facetType(p: CanonicalField, hint: CanonicalField | undefined): string {
  const names = (p.fields ?? []).map((f) => f.name);
  if (names.length === 0) return p.type;
  if (p.type === "array<struct>" && names.length === 1 && names[0] === "_element") return "array";
  if (p.type !== "struct" || !hint) return p.type;
  if (names.length === 2 && names.includes("key") && names.includes("value") && hint.type.startsWith("map<"))
    return "map";
  if (names.every((n) => n.startsWith("_")) && !isStructField(hint)) return "union";
  return p.type;
}

function asFacet(p: CanonicalField, hint: CanonicalField | undefined): InputField {
  const type = facetType(p, hint);
  const hints = childHints(type, hint);
  const out: InputField = { name: p.name, type, nullable: p.nullable };
  if (p.description) out.description = p.description;
  if (p.renamedFrom) out.renamedFrom = p.renamedFrom;
  if (p.fields && p.fields.length > 0) out.fields = p.fields.map((c) => asFacet(c, hints.get(c.name)));
  return out;
}

/** `previous` (an OpenLineage snapshot) as today's reading of the facet it came from. */
export function rereadOpenLineageSchema(previous: CanonicalSchema, next: CanonicalSchema): CanonicalSchema {
  const hints = new Map(next.fields.map((f) => [f.name, f]));
  const facet = previous.fields.map((f) => asFacet(f, hints.get(f.name)));
  // The previous version was within the limits when it was stored; a fresh budget for the re-read.
  return { fields: convertFields(facet, { defaultNullable: true, openLineage: true }, new Budget()) };
}
