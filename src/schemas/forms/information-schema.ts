import { z } from "@hono/zod-openapi";
import { parse as parseCsv } from "csv-parse/sync";
import type { CanonicalField } from "../canonical.ts";
import { invalidSchema, notParseable } from "../errors.ts";
import { canonicalType, formatType, parseType } from "../types.ts";
import type { Budget } from "./budget.ts";

/**
 * Rows of `SELECT … FROM information_schema.columns` (Postgres), as JSON rows or the CSV that
 * `psql --csv` prints. Only column_name, data_type and is_nullable are required; lengths,
 * precision and udt_name refine the type. CSV gives every value as a string, "" for NULL.
 */
const num = z.preprocess(
  (v) => (v === "" || v === null || v === undefined ? undefined : typeof v === "string" ? Number(v) : v),
  z.number().int().optional(),
);
const str = z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string().optional());

export const ColumnRowSchema = z.object({
  column_name: z.string().min(1),
  data_type: z.string().min(1),
  is_nullable: z.string().optional(),
  ordinal_position: num,
  character_maximum_length: num,
  numeric_precision: num,
  numeric_scale: num,
  udt_name: str,
  table_name: str,
  table_schema: str,
});
export type ColumnRow = z.infer<typeof ColumnRowSchema>;

export function looksLikeColumnRows(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    typeof v[0] === "object" &&
    v[0] !== null &&
    "column_name" in v[0] &&
    "data_type" in v[0]
  );
}

export function looksLikeColumnsCsv(text: string): boolean {
  const header = text.split(/\r?\n/, 1)[0] ?? "";
  return /(^|,)"?column_name"?(,|$)/.test(header) && /(^|,)"?data_type"?(,|$)/.test(header);
}

export function parseColumnsCsv(text: string): unknown[] {
  try {
    return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as unknown[];
  } catch (e) {
    throw notParseable(`Invalid CSV: ${(e as Error).message}`);
  }
}

function columnType(r: ColumnRow): string {
  const dt = r.data_type.toLowerCase();
  if (dt === "array") {
    // udt_name of an array is the element's internal name with a leading underscore: _int4.
    const el = r.udt_name?.replace(/^_/, "") ?? "unknown";
    return `array<${canonicalType(el, "postgres")}>`;
  }
  if (dt === "user-defined") return (r.udt_name ?? "unknown").toLowerCase();
  if ((dt === "character varying" || dt === "character") && r.character_maximum_length !== undefined)
    return `varchar(${r.character_maximum_length})`;
  if (dt === "numeric" && r.numeric_precision !== undefined)
    return `decimal(${r.numeric_precision},${r.numeric_scale ?? 0})`;
  return formatType(parseType(dt, "postgres"));
}

export function normalizeColumnRows(
  rows: unknown[],
  opts: { table?: string },
  budget: Budget,
): CanonicalField[] {
  const parsed: ColumnRow[] = rows.map((row, i) => {
    const r = ColumnRowSchema.safeParse(row);
    if (!r.success)
      throw invalidSchema(`information_schema row ${i + 1}: ${z.prettifyError(r.error)}`, { row: i + 1 });
    return r.data;
  });
  const key = (r: ColumnRow) => (r.table_schema ? `${r.table_schema}.${r.table_name}` : (r.table_name ?? ""));
  let selected = parsed;
  if (opts.table) {
    const t = opts.table;
    selected = parsed.filter((r) => r.table_name === t || key(r) === t);
    if (selected.length === 0) throw invalidSchema(`No rows for table "${t}"`);
  } else {
    const tables = [...new Set(parsed.map(key))];
    if (tables.length > 1)
      throw invalidSchema(
        `The rows describe ${tables.length} tables (${tables.slice(0, 5).join(", ")}); choose one with "table"`,
        {
          tables,
        },
      );
  }
  const ordered = [...selected].sort((a, b) => (a.ordinal_position ?? 0) - (b.ordinal_position ?? 0));
  const seen = new Set<string>();
  return ordered.map((r) => {
    if (seen.has(r.column_name)) throw invalidSchema(`Duplicate column "${r.column_name}"`);
    seen.add(r.column_name);
    budget.take(r.column_name, 1);
    return {
      name: r.column_name,
      type: columnType(r),
      nullable: (r.is_nullable ?? "YES").toUpperCase() !== "NO",
    };
  });
}
