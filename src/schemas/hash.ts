import { createHash } from "node:crypto";
import type { CanonicalField, CanonicalSchema } from "./canonical.ts";

/**
 * Content hash of a canonical schema: sha256 over a canonical JSON encoding (object keys
 * sorted, absent optionals omitted, field order kept since it is the column order). Equal
 * hashes mean "same content → no new snapshot version".
 */
function canonicalField(f: CanonicalField): unknown {
  const out: Record<string, unknown> = { name: f.name, nullable: f.nullable, type: f.type };
  if (f.description !== undefined) out.description = f.description;
  if (f.fields !== undefined) out.fields = f.fields.map(canonicalField);
  if (f.renamedFrom !== undefined && f.renamedFrom.length > 0) out.renamedFrom = [...f.renamedFrom].sort();
  return out;
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** `sha256:<hex>` of the schema's canonical encoding. */
export function schemaHash(schema: CanonicalSchema): string {
  const body = stableStringify({ fields: schema.fields.map(canonicalField) });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
