/**
 * CSV with a header row (RFC 4180 quoting; also \n line ends and a trailing newline), read from
 * UTF-8 bytes as they arrive into typed columns.
 *
 * Cells: quoted → string; empty, NA, N/A, NaN, nan, null, NULL, None → missing (null); cells that
 * look like decimal numbers → numbers; anything else stays a string. A row holding one missing
 * cell is a blank line and skipped.
 */
import { type Dataset, DriftInputError } from "../stats/index.ts";
import { ColumnBuilder } from "./columns.ts";
import { decimalToDouble, POW10 } from "./decimal.ts";

const MISSING = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What an unquoted cell's text means. The reader's byte scan settles most cells without it. */
export function csvCell(raw: string): number | string | null {
  const first = raw.charCodeAt(0);
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

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The text of bytes [start, end): latin1 is a plain copy, and the same as UTF-8 for ASCII. */
function text(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return utf8.decode(buf.subarray(start, end));
  return buf.toString("latin1", start, end);
}

const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Incremental CSV reader: `push` chunks (UTF-8 bytes, or text) as they arrive, `end` for the
 * columns. Only an unfinished last row is carried between chunks, so a 100 MB upload never
 * exists whole. Cells are written into their columns as they are read; a row counts once it ends.
 */
export class CsvReader {
  private carry: Buffer | undefined;
  /** A high surrogate ending a text chunk: its pair starts the next one. */
  private surrogate = "";
  private started = false;
  private header: string[] | undefined;
  /** The header row's cells, by position (a row may be read twice: see carry). */
  private headerCells: (number | string | null)[] = [];
  private columns: ColumnBuilder[] = [];
  private rows = 0;
  private line = 1;

  push(chunk: Uint8Array | string): void {
    let bytes: Buffer;
    if (typeof chunk === "string") {
      let t = this.surrogate + chunk;
      const last = t.charCodeAt(t.length - 1);
      this.surrogate = last >= 0xd800 && last <= 0xdbff ? t.slice(-1) : "";
      if (this.surrogate) t = t.slice(0, -1);
      bytes = Buffer.from(t, "utf8");
    } else bytes = asBuffer(chunk);
    const carry = this.carry;
    if (carry && carry.length > 0) {
      // Finish the carried row with the bytes up to the first line end, then read the rest where
      // it lies, rather than copying every chunk behind the carry.
      const nl = bytes.indexOf(10);
      if (nl < 0) {
        this.parse(Buffer.concat([carry, bytes]), false);
        return;
      }
      this.parse(Buffer.concat([carry, bytes.subarray(0, nl + 1)]), false);
      const rest = bytes.subarray(nl + 1);
      // Still unfinished: that line end was inside quotes.
      this.parse(this.carry!.length > 0 ? Buffer.concat([this.carry!, rest]) : rest, false);
      return;
    }
    this.parse(bytes, false);
  }

  end(): Dataset {
    const rest = Buffer.from(this.surrogate, "utf8");
    this.surrogate = "";
    this.parse(this.carry ? Buffer.concat([this.carry, rest]) : rest, true);
    const header = this.header;
    if (!header) throw new DriftInputError("invalid_input", "CSV is empty (no header row)");
    const out: Dataset = {};
    header.forEach((h, i) => {
      out[h] = this.columns[i]!.build(this.rows);
    });
    return out;
  }

  /** Cell `col` of the row being read (beyond the header's width: only counted, endRow says). */
  private cell(col: number, v: number | string | null): void {
    if (!this.header) this.headerCells[col] = v;
    else if (col < this.columns.length) this.columns[col]!.set(this.rows, v);
  }

  private endRow(fields: number, firstMissing: boolean): void {
    const line = this.line;
    if (!this.header) {
      const header = this.headerCells.slice(0, fields).map((c) => String(c ?? ""));
      const dup = header.find((h, i) => header.indexOf(h) !== i);
      if (dup !== undefined) throw new DriftInputError("invalid_input", `CSV header repeats column "${dup}"`);
      this.header = header;
      this.columns = header.map(() => new ColumnBuilder());
    } else if (!(fields === 1 && firstMissing)) {
      if (fields !== this.header.length) {
        throw new DriftInputError(
          "invalid_input",
          `CSV line ${line}: ${fields} fields, header has ${this.header.length}`,
          { line },
        );
      }
      this.rows++;
    }
    this.line++;
  }

  /** Reads every complete row of `buf`; unless `final`, keeps an unfinished last row in `carry`. */
  private parse(buf: Buffer, final: boolean): void {
    const n = buf.length;
    let pos = 0;
    if (!this.started) {
      if (n < 3 && !final) {
        this.carry = buf; // too short to tell a byte order mark
        return;
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    let rowStart = pos;
    let fields = 0;
    let firstMissing = false;
    // The header's columns, once it has been read (the hot path writes numbers straight in).
    let columns = this.header ? this.columns : undefined;
    const view = new DataView(buf.buffer, buf.byteOffset, n);
    const last4 = n - 4;
    for (;;) {
      if (pos >= n) {
        if (!final) {
          this.carry = buf.subarray(rowStart);
          return;
        }
        if (fields > 0) this.endRow(fields, firstMissing);
        this.carry = undefined;
        return;
      }
      if (buf[pos] === 34 /* " */) {
        let q = pos + 1;
        let escaped = false;
        for (;;) {
          while (q < n && buf[q] !== 34) q++;
          if (q >= n || (q + 1 === n && !final)) {
            // No closing quote yet, or one that may be the first half of an escaped "".
            if (!final) {
              this.carry = buf.subarray(rowStart);
              return;
            }
            throw new DriftInputError("invalid_input", `CSV line ${this.line}: unterminated quoted field`, {
              line: this.line,
            });
          }
          if (buf[q + 1] !== 34) break;
          escaped = true;
          q += 2;
        }
        const raw = text(buf, pos + 1, q);
        this.cell(fields, escaped ? raw.replaceAll('""', '"') : raw);
        if (fields++ === 0) firstMissing = false;
        pos = q + 1;
        const ch = pos < n ? buf[pos]! : -1;
        if (ch === 44 /* , */) pos++;
        else if (ch === 13 || ch === 10 || ch === -1) {
          if (ch === 13 && pos + 1 === n && !final) {
            this.carry = buf.subarray(rowStart); // \r\n split across chunks
            return;
          }
          pos += ch === 13 && buf[pos + 1] === 10 ? 2 : ch === -1 ? 0 : 1;
          this.endRow(fields, firstMissing);
          columns = this.columns;
          fields = 0;
          rowStart = pos;
        } else
          throw new DriftInputError("invalid_input", `CSV line ${this.line}: text after a closing quote`, {
            line: this.line,
          });
        continue;
      }

      // Unquoted cell. Scan it as a decimal number — [+-] digits [. digits] [e [+-] digits] —
      // keeping its first 18 significant digits in two integers; at the first other byte, just
      // find its end.
      let i = pos;
      let b = buf[i]!;
      const negative = b === 45;
      if (negative || b === 43) b = ++i < n ? buf[i]! : -1;
      let digits = 0;
      let zeros = 0; // leading zeros after the point
      let dot = false;
      while (b === 48) {
        digits++;
        b = ++i < n ? buf[i]! : -1;
      }
      if (b === 46) {
        dot = true;
        b = ++i < n ? buf[i]! : -1;
        while (b === 48) {
          zeros++;
          b = ++i < n ? buf[i]! : -1;
        }
        digits += zeros;
      }
      let a = 0; // significant digits 1 to 8
      let lo = 0; // significant digits 9 to 18
      let k = 0;
      let kAtDot = 0;
      for (;;) {
        // Four digits at a time while they last (most of a long number), then one at a time.
        while (i <= last4) {
          let x = view.getUint32(i, true);
          // All four bytes '0'-'9': high nibble 3, and still 3 once 6 is added to each.
          if ((x & 0xf0f0f0f0) !== 0x30303030 || ((x + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
          // Digit values, then pairs (first digit in the low byte: little-endian), then the four.
          x = (x - 0x30303030) | 0;
          x = (Math.imul(x, 10) + (x >>> 8)) & 0x00ff00ff;
          x = (Math.imul(x, 100) + (x >>> 16)) & 0x3fff;
          if (k <= 4) a = a * 10_000 + x;
          else if (k >= 8)
            lo = lo * 10_000 + x; // past 18 digits: garbage, and unused
          else {
            const split = POW10[k - 4]!;
            const high = Math.floor(x / split);
            a = a * POW10[8 - k]! + high;
            lo = x - high * split;
          }
          k += 4;
          i += 4;
        }
        b = i < n ? buf[i]! : -1;
        let d = b - 48;
        while (d >= 0 && d <= 9) {
          if (k < 8) a = a * 10 + d;
          else lo = lo * 10 + d;
          k++;
          b = ++i < n ? buf[i]! : -1;
          d = b - 48;
        }
        if (b !== 46 || dot) break;
        dot = true;
        kAtDot = k;
        i++;
      }
      digits += k;
      let exponent = 0;
      let plain = digits > 0;
      if (plain && (b | 32) === 101 /* e */) {
        b = ++i < n ? buf[i]! : -1;
        const sign = b;
        if (sign === 45 || sign === 43) b = ++i < n ? buf[i]! : -1;
        const from = i;
        for (;;) {
          const d = b - 48;
          if (d < 0 || d > 9) break;
          if (exponent < 100_000) exponent = exponent * 10 + d;
          else plain = false; // far out of range: Number() says what it is
          b = ++i < n ? buf[i]! : -1;
        }
        if (i === from) plain = false;
        if (sign === 45) exponent = -exponent;
      }
      let end = i;
      let ch = b;
      if (ch !== 44 && ch !== 10 && ch !== 13 && ch !== -1) {
        plain = false;
        while (end < n) {
          ch = buf[end]!;
          if (ch === 44 || ch === 10 || ch === 13) break;
          end++;
        }
        if (end === n) ch = -1;
      }
      if (!final && (end === n || (end + 1 === n && ch === 13))) {
        this.carry = buf.subarray(rowStart);
        return;
      }
      let v = Number.NaN;
      if (plain && k <= 18) {
        if (k === 0) v = 0;
        else {
          const fraction = dot ? zeros + k - kAtDot : 0;
          v = decimalToDouble(a, lo, k > 8 ? k - 8 : 0, exponent - fraction);
        }
        if (negative) v = -v;
      }
      if (!Number.isNaN(v)) {
        if (columns !== undefined && fields < columns.length) columns[fields]!.setNumber(this.rows, v);
        else this.cell(fields, v);
        if (fields++ === 0) firstMissing = false;
      } else {
        const value = end === pos ? null : csvCell(text(buf, pos, end));
        this.cell(fields, value);
        if (fields++ === 0) firstMissing = value === null;
      }
      if (ch === 44) {
        pos = end + 1;
        if (pos === n) {
          // A trailing empty field (unless final, the row is read again with the next chunk).
          this.cell(fields, null);
          fields++;
        }
      } else {
        pos = end + (ch === 13 && buf[end + 1] === 10 ? 2 : 1);
        this.endRow(fields, firstMissing);
        columns = this.columns;
        fields = 0;
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
