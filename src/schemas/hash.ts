import { createHash } from "node:crypto";
import { canonicalJson } from "../lib/canonical-json.ts";
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

/** `sha256:<hex>` of the schema's canonical encoding. */
export function schemaHash(schema: CanonicalSchema): string {
  const body = canonicalJson({ fields: schema.fields.map(canonicalField) });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
