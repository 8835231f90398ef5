import { describe, expect, it } from "vitest";
import { parseCsv, parseDataset, parseNdjson } from "../../src/drift/compare-input.ts";
import { DriftInputError } from "../../src/drift/stats/errors.ts";

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
