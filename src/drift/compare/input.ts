/**
 * Reading a dataset for drift comparison from text: CSV (header row, RFC 4180 quoting),
 * NDJSON (one JSON object per line = one row), or JSON (an array of row objects, or an object of
 * column → values). Used by the HTTP route (multipart uploads) and the CLI.
 *
 * Cells: empty, NA, N/A, NaN, nan, null, NULL, None → missing (null); CSV cells that look like
 * decimal numbers → numbers; anything else stays a string. All-numeric columns are kept as
 * Float64Array (NaN = missing), so 100k-row files cost 8 bytes a cell, not a boxed value.
 */
import { type Dataset, DriftInputError } from "../stats/index.ts";
import { ColumnBuilder } from "./columns.ts";
import { parseCsv } from "./csv.ts";

export { CsvReader, parseCsv } from "./csv.ts";

export type InputFormat = "csv" | "ndjson" | "json";

function scalar(v: unknown, where: string): number | string | boolean | null {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v === undefined) return null;
  throw new DriftInputError("invalid_input", `${where}: values must be numbers, strings, booleans or null`);
}

/** Row objects → columns; a key absent from a row is missing there. */
class RowsBuilder {
  private builders = new Map<string, ColumnBuilder>();
  private count = 0;

  add(row: unknown, lineNo: number): void {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new DriftInputError("invalid_input", `row ${lineNo}: expected a JSON object`, { line: lineNo });
    }
    const rec = row as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      if (!this.builders.has(key)) {
        const b = new ColumnBuilder();
        for (let i = 0; i < this.count; i++) b.push(null); // absent in earlier rows = missing
        this.builders.set(key, b);
      }
    }
    for (const [key, b] of this.builders) b.push(scalar(rec[key], `row ${lineNo}, "${key}"`));
    this.count++;
  }

  build(): Dataset {
    const out: Dataset = {};
    for (const [key, b] of this.builders) out[key] = b.build();
    return out;
  }
}

/** Incremental NDJSON reader (one JSON object per line): `push` text chunks, then `end`. */
export class NdjsonReader {
  private carry = "";
  private lineNo = 0;
  private rows = new RowsBuilder();

  push(chunk: string): void {
    const text = this.carry.length > 0 ? this.carry + chunk : chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.carry = text.slice(start);
  }

  end(): Dataset {
    if (this.carry.length > 0) this.line(this.carry);
    this.carry = "";
    return this.rows.build();
  }

  private line(raw: string): void {
    this.lineNo++;
    const l = raw.trim();
    if (l === "") return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      throw new DriftInputError("invalid_input", `NDJSON line ${this.lineNo} is not valid JSON`, {
        line: this.lineNo,
      });
    }
    this.rows.add(value, this.lineNo);
  }
}

export function parseNdjson(text: string): Dataset {
  const reader = new NdjsonReader();
  reader.push(text);
  return reader.end();
}

/** JSON: `[{col: v, …}, …]` (rows) or `{col: [v, …], …}` (columns). */
export function parseJsonDataset(value: unknown): Dataset {
  if (Array.isArray(value)) {
    const rows = new RowsBuilder();
    for (let i = 0; i < value.length; i++) rows.add(value[i], i + 1);
    return rows.build();
  }
  if (value !== null && typeof value === "object") {
    const out: Dataset = {};
    for (const [key, col] of Object.entries(value as Record<string, unknown>)) {
      if (!Array.isArray(col)) {
        throw new DriftInputError("invalid_input", `column "${key}": expected an array of values`);
      }
      for (let i = 0; i < col.length; i++) scalar(col[i], `column "${key}"[${i}]`);
      out[key] = col;
    }
    return out;
  }
  throw new DriftInputError("invalid_input", "JSON dataset must be an array of rows or an object of columns");
}

/** Format from a file name (or content type); undefined when it says nothing. */
export function formatFromName(name: string | undefined): InputFormat | undefined {
  if (!name) return undefined;
  const n = name.toLowerCase();
  if (n.endsWith(".csv") || n.includes("text/csv")) return "csv";
  if (n.endsWith(".ndjson") || n.endsWith(".jsonl") || n.includes("ndjson") || n.includes("jsonlines"))
    return "ndjson";
  if (n.endsWith(".json") || n.includes("application/json")) return "json";
  return undefined;
}

/** Parse a dataset; without a format, sniff: `[` or a single JSON document → JSON, `{` lines → NDJSON, else CSV. */
export function parseDataset(text: string, format?: InputFormat): Dataset {
  let f = format;
  if (!f) {
    const t = text.trimStart();
    if (t.startsWith("[")) f = "json";
    else if (t.startsWith("{")) {
      const firstLine = t.slice(0, t.search(/\r?\n/) === -1 ? undefined : t.search(/\r?\n/)).trim();
      let oneLineObject = false;
      try {
        JSON.parse(firstLine);
        oneLineObject = true;
      } catch {}
      f = oneLineObject && /\r?\n\s*\{/.test(t) ? "ndjson" : "json";
      if (f === "json" && oneLineObject && !/\r?\n\s*\S/.test(t.slice(firstLine.length))) {
        // A single line holding one object: columns object if its values are arrays, else one row.
        const v = JSON.parse(firstLine) as Record<string, unknown>;
        if (!Object.values(v).every(Array.isArray)) f = "ndjson";
      }
    } else f = "csv";
  }
  if (f === "csv") return parseCsv(text);
  if (f === "ndjson") return parseNdjson(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DriftInputError("invalid_input", "Dataset is not valid JSON");
  }
  return parseJsonDataset(value);
}
