import { describe, expect, it } from "vitest";
import {
  CsvReader,
  NdjsonReader,
  parseCsv,
  parseDataset,
  parseNdjson,
} from "../../../src/drift/compare/input.ts";
import { DriftInputError } from "../../../src/drift/stats/errors.ts";

describe("parseCsv", () => {
  it("numeric columns become Float64Array with NaN for missing; others stay values", () => {
    const d = parseCsv('x,name,flag\n1.5,"a, b",true\nNA,c,\n-2e3,"say ""hi""",false\n');
    expect(d["x"]).toBeInstanceOf(Float64Array);
    expect(Array.from(d["x"] as Float64Array)).toEqual([1.5, Number.NaN, -2000]);
    expect(d["name"]).toEqual(["a, b", "c", 'say "hi"']);
    expect(d["flag"]).toEqual(["true", null, "false"]);
  });
  it("a column turning non-numeric keeps earlier numbers and missing values", () => {
    const d = parseCsv("v\n1\n\n2\nx\r\n");
    // the blank line is skipped as an empty row; NA-like tokens are missing
    expect(d["v"]).toEqual([1, 2, "x"]);
    expect(parseCsv("v,w\n1,\n,2\n")["v"]).toBeInstanceOf(Float64Array);
  });
  it("rejects ragged rows, unterminated quotes, duplicate headers, empty input", () => {
    for (const bad of ["a,b\n1\n", 'a\n"x\n', "a,a\n1,2\n", ""]) {
      expect(() => parseCsv(bad)).toThrow(DriftInputError);
    }
  });
});

describe("parseNdjson / parseDataset", () => {
  it("rows → columns; absent keys are missing", () => {
    const d = parseNdjson('{"a":1,"b":"x"}\n\n{"a":2}\n{"a":null,"b":"y","c":true}\n');
    expect(Array.from(d["a"] as Float64Array)).toEqual([1, 2, Number.NaN]);
    expect(d["b"]).toEqual(["x", null, "y"]);
    expect(d["c"]).toEqual([null, null, true]);
  });
  it("sniffs JSON rows, JSON columns, NDJSON and CSV", () => {
    expect(Object.keys(parseDataset('[{"a":1},{"a":2}]'))).toEqual(["a"]);
    expect(parseDataset('{"a":[1,2,3]}')["a"]).toEqual([1, 2, 3]);
    expect(Array.from(parseDataset('{"a":1}\n{"a":2}\n')["a"] as Float64Array)).toEqual([1, 2]);
    expect(Array.from(parseDataset("a\n1\n2\n")["a"] as Float64Array)).toEqual([1, 2]);
  });
  it("rejects nested values and bad JSON lines with the line number", () => {
    expect(() => parseNdjson('{"a":{"b":1}}')).toThrow(/values must be/);
    expect(() => parseNdjson('{"a":1}\n{oops')).toThrow(/line 2/);
  });
});

/** The text fed in pieces of `size` characters (the last piece shorter). */
function inPieces(reader: { push(t: string): void }, text: string, size: number): void {
  for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
}

describe("streaming readers (chunks split anywhere give the same columns)", () => {
  // BOM, quotes with commas/newlines/escaped quotes, CRLF, NA, a trailing empty field, no final newline.
  const csv =
    '\ufeffx,name,flag\r\n1.5,"a, b",true\r\nNA,"multi\nline ""q""",\r\n-2e3,c,false\n\n7,"",x\n8,d,';
  it("CsvReader: every chunk size from 1 to the whole text", () => {
    const whole = parseCsv(csv);
    expect(whole["name"]).toEqual(["a, b", 'multi\nline "q"', "c", "", "d"]);
    expect(whole["flag"]).toEqual(["true", null, "false", "x", null]);
    for (let size = 1; size <= csv.length; size++) {
      const r = new CsvReader();
      inPieces(r, csv, size);
      expect(r.end(), `chunk size ${size}`).toEqual(whole);
    }
  });
  it("CsvReader: errors still name the line, whatever the chunking", () => {
    for (const size of [1, 3, 1000]) {
      const r = new CsvReader();
      expect(() => {
        inPieces(r, "a,b\n1,2\n3\n", size);
        r.end();
      }).toThrow(/line 3/);
      const u = new CsvReader();
      expect(() => {
        inPieces(u, 'a\n"x\n', size);
        u.end();
      }).toThrow(/unterminated/);
    }
  });
  it("NdjsonReader: every chunk size, CRLF and blank lines", () => {
    const text = '{"a":1,"b":"x"}\r\n\n{"a":2}\n{"a":null,"b":"y\\n","c":true}';
    const whole = parseNdjson(text);
    expect(whole["b"]).toEqual(["x", null, "y\n"]);
    for (let size = 1; size <= text.length; size++) {
      const r = new NdjsonReader();
      inPieces(r, text, size);
      expect(r.end(), `chunk size ${size}`).toEqual(whole);
    }
    const bad = new NdjsonReader();
    expect(() => {
      inPieces(bad, '{"a":1}\n\n{oops\n', 2);
      bad.end();
    }).toThrow(/line 3/);
  });
});
