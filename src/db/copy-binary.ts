/**
 * Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN WITH (FORMAT binary)`), for the
 * columns whose text form is costly to write and to parse: a 512-dimension vector is ~4,500
 * characters that the server reads back float by float, against 2 KiB of float4 copied as they are.
 * The format: a signature and two zero int32s, then per row an int16 field count and each field as
 * an int32 length and the type's binary (recv) form, then an int16 -1.
 */
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0

const encoder = new TextEncoder();

export class BinaryCopyWriter {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;

  constructor(sizeHint = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(64, sizeHint));
    this.view = new DataView(this.buf.buffer);
    for (const b of SIGNATURE) this.buf[this.at++] = b;
    this.view.setInt32(this.at, 0); // flags
    this.view.setInt32(this.at + 4, 0); // header extension length
    this.at += 8;
  }

  /** Starts a row of `fields` fields; the fields follow, in the COPY's column order. */
  row(fields: number): this {
    this.room(2);
    this.view.setInt16(this.at, fields);
    this.at += 2;
    return this;
  }

  /** bigint (int8). */
  int8(value: number): this {
    this.field(8);
    this.view.setBigInt64(this.at, BigInt(value));
    this.at += 8;
    return this;
  }

  /** text (UTF-8). */
  text(value: string): this {
    const bytes = encoder.encode(value);
    this.field(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }

  /** uuid, from its canonical text form. */
  uuid(value: string): this {
    const hex = value.replaceAll("-", "");
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a uuid: ${JSON.stringify(value)}`);
    this.field(16);
    for (let i = 0; i < 16; i++) this.buf[this.at++] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return this;
  }

  /** pgvector's vector: int16 dimensions, int16 unused, then float4 each (values rounded to float4). */
  vector(values: ArrayLike<number>): this {
    const n = values.length;
    this.field(4 + 4 * n);
    this.view.setInt16(this.at, n);
    this.view.setInt16(this.at + 2, 0);
    this.at += 4;
    for (let i = 0; i < n; i++, this.at += 4) this.view.setFloat32(this.at, values[i]!);
    return this;
  }

  /** The rows written so far and the trailer; the writer is done. */
  finish(): Uint8Array {
    this.room(2);
    this.view.setInt16(this.at, -1);
    this.at += 2;
    return this.buf.subarray(0, this.at);
  }

  private field(length: number): void {
    this.room(4 + length);
    this.view.setInt32(this.at, length);
    this.at += 4;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}
