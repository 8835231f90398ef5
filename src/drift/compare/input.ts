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

export type InputFormat = "csv" | "ndjson" | "json";

const MISSING = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Collects one column: numbers into a growing Float64Array until a string forces a plain array. */
class ColumnBuilder {
  private nums: Float64Array = new Float64Array(1024);
  private values: unknown[] | undefined;
  length = 0;

  push(v: number | string | boolean | null): void {
    if (this.values) {
      this.values.push(v);
    } else if (typeof v === "number" || v === null) {
      if (this.length === this.nums.length) {
        const next = new Float64Array(this.nums.length * 2);
        next.set(this.nums);
        this.nums = next;
      }
      this.nums[this.length] = v === null ? Number.NaN : v;
    } else {
      this.values = Array.from(this.nums.subarray(0, this.length), (x) => (Number.isNaN(x) ? null : x));
      this.values.push(v);
    }
    this.length++;
  }

  build(): Float64Array | unknown[] {
    return this.values ?? this.nums.slice(0, this.length);
  }
}

function csvCell(raw: string, quoted: boolean): number | string | null {
  if (quoted) return raw;
  const first = raw.charCodeAt(0);
  // Fast path for the common case, a plain number: no trim, no regex.
  if ((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46) {
    const last = raw.charCodeAt(raw.length - 1);
    const second = raw.charCodeAt(1) | 32; // 0x…, 0o…, 0b… are not decimal numbers
    if (last >= 48 && last <= 57 && !(first === 48 && (second === 120 || second === 111 || second === 98))) {
      const v = Number(raw);
      if (Number.isFinite(v)) return v;
    }
  }
  const t = first === 32 || raw.charCodeAt(raw.length - 1) === 32 ? raw.trim() : raw;
  if (MISSING.has(t)) return null;
  if (NUMBER.test(t)) return Number(t);
  return t;
}

/**
 * Incremental RFC 4180 CSV reader with a header row (also \n line ends and a trailing newline):
 * `push` text chunks as they arrive, `end` for the columns. Only an unfinished last row is carried
 * between chunks, so a 100 MB upload never exists as one string.
 */
export class CsvReader {
  private carry = "";
  private started = false;
  private header: string[] | undefined;
  private builders: ColumnBuilder[] = [];
  private line = 1;

  push(chunk: string): void {
    this.parse(this.carry.length > 0 ? this.carry + chunk : chunk, false);
  }

  end(): Dataset {
    this.parse(this.carry, true);
    const header = this.header;
    if (!header) throw new DriftInputError("invalid_input", "CSV is empty (no header row)");
    const out: Dataset = {};
    header.forEach((h, i) => {
      out[h] = this.builders[i]!.build();
    });
    return out;
  }

  private endRow(row: (number | string | null)[]): void {
    const line = this.line;
    if (!this.header) {
      const header = row.map((c) => String(c ?? ""));
      const dup = header.find((h, i) => header.indexOf(h) !== i);
      if (dup !== undefined) throw new DriftInputError("invalid_input", `CSV header repeats column "${dup}"`);
      this.header = header;
      this.builders = header.map(() => new ColumnBuilder());
    } else if (!(row.length === 1 && row[0] === null)) {
      if (row.length !== this.header.length) {
        throw new DriftInputError(
          "invalid_input",
          `CSV line ${line}: ${row.length} fields, header has ${this.header.length}`,
          { line },
        );
      }
      for (let i = 0; i < row.length; i++) this.builders[i]!.push(row[i]!);
    }
    this.line++;
  }

  /** Parses every complete row of `text`; unless `final`, keeps an unfinished last row in `carry`. */
  private parse(text: string, final: boolean): void {
    let pos = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) pos = 1;
    }
    const n = text.length;
    let rowStart = pos;
    let row: (number | string | null)[] = [];
    const incomplete = () => {
      this.carry = text.slice(rowStart);
    };
    for (;;) {
      if (pos >= n) {
        if (!final) {
          incomplete();
          return;
        }
        if (row.length > 0) this.endRow(row);
        this.carry = "";
        return;
      }
      if (text.charCodeAt(pos) === 34 /* " */) {
        let value = "";
        pos++;
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q < 0 || (q + 1 === n && !final)) {
            // No closing quote yet, or one that may be the first half of an escaped "".
            if (!final) {
              incomplete();
              return;
            }
            throw new DriftInputError("invalid_input", `CSV line ${this.line}: unterminated quoted field`, {
              line: this.line,
            });
          }
          value += text.slice(pos, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            pos = q + 2;
          } else {
            pos = q + 1;
            break;
          }
        }
        row.push(csvCell(value, true));
        const ch = text.charCodeAt(pos);
        if (ch === 44) pos++;
        else if (ch === 13 || ch === 10 || Number.isNaN(ch)) {
          // \r\n split across chunks
          if (ch === 13 && pos + 1 === n && !final) {
            incomplete();
            return;
          }
          pos += ch === 13 && text.charCodeAt(pos + 1) === 10 ? 2 : Number.isNaN(ch) ? 0 : 1;
          this.endRow(row);
          row = [];
          rowStart = pos;
        } else
          throw new DriftInputError("invalid_input", `CSV line ${this.line}: text after a closing quote`, {
            line: this.line,
          });
        continue;
      }
      // Unquoted field: up to the next comma or line end.
      let end = pos;
      while (end < n) {
        const ch = text.charCodeAt(end);
        if (ch === 44 || ch === 10 || ch === 13) break;
        end++;
      }
      if (!final && (end === n || (end + 1 === n && text.charCodeAt(end) === 13))) {
        incomplete();
        return;
      }
      row.push(csvCell(text.slice(pos, end), false));
      const ch = text.charCodeAt(end);
      if (ch === 44) {
        pos = end + 1;
        if (pos === n) row.push(null); // a trailing empty field (unless final, the row is re-read later)
      } else {
        pos = end + (ch === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
        this.endRow(row);
        row = [];
        rowStart = pos;
      }
    }
  }
}

/** RFC 4180 CSV with a header row; also accepts \n line ends and a trailing newline. */
export function parseCsv(text: string): Dataset {
  const reader = new CsvReader();
  reader.push(text);
  return reader.end();
}

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
