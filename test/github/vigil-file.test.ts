import { describe, expect, it } from "vitest";
import { parseVigilFile } from "../../src/github/vigil-file.ts";

describe(".vigil.yml", () => {
  it("reads the documented example with its defaults, and the line of each entry", () => {
    const text = `schemas:                       # files that hold dataset schemas
  - dataset: orders
    namespace: default         # optional
    path: schemas/orders.json
  - dataset: customers
    path: schemas/customers.sql
    format: sql
    table: customers
contracts:
  - model: churn
    path: contracts/churn.json
failOn: breaking
overrideLabel: vigil/allow-breaking
`;
    const r = parseVigilFile(text);
    expect(r).toEqual({
      ok: true,
      file: {
        schemas: [
          { dataset: "orders", namespace: "default", path: "schemas/orders.json" },
          { dataset: "customers", path: "schemas/customers.sql", format: "sql", table: "customers" },
        ],
        contracts: [{ model: "churn", path: "contracts/churn.json" }],
        failOn: "breaking",
        overrideLabel: "vigil/allow-breaking",
        contractWindowHours: 24,
      },
      lines: { schemas: [2, 5], contracts: [10] },
    });
  });

  it("treats an empty file as listing nothing, with the defaults", () => {
    const r = parseVigilFile("# nothing yet\n");
    expect(r.ok && r.file).toEqual({
      schemas: [],
      contracts: [],
      failOn: "breaking",
      overrideLabel: "vigil/allow-breaking",
      contractWindowHours: 24,
    });
  });

  it("reports YAML errors with their line", () => {
    const r = parseVigilFile("schemas:\n  - dataset: a\n    path: [x\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.message).toMatch(/^invalid YAML: /);
    expect(r.problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("reports each invalid value on its line: unknown keys, enums, paths outside the repository, duplicates", () => {
    const text = [
      "schemas:",
      "  - dataset: orders",
      "    path: ../secrets.json",
      "  - dataset: orders",
      "    path: b.json",
      "failOn: sometimes",
      "colour: blue",
      "contractWindowHours: -1",
    ].join("\n");
    const r = parseVigilFile(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byMessage = (re: RegExp) => r.problems.find((p) => re.test(p.message));
    expect(byMessage(/^schemas\.0\.path: expected a path inside the repository/)?.line).toBe(3);
    expect(byMessage(/^failOn: /)?.line).toBe(6);
    expect(byMessage(/colour/)?.line).toBe(1);
    expect(byMessage(/^contractWindowHours: /)?.line).toBe(8);
    // Duplicates are only judged once everything else is valid.
    const dup = parseVigilFile(
      "schemas:\n  - dataset: orders\n    path: a.json\n  - dataset: orders\n    path: b.json\n",
    );
    expect(dup.ok).toBe(false);
    if (!dup.ok)
      expect(dup.problems).toEqual([
        { message: "schemas.1.dataset: dataset orders is listed twice (entry 1)", line: 4 },
      ]);
  });

  it("refuses a file that is not a mapping, and duplicate keys", () => {
    const list = parseVigilFile("- a\n- b\n");
    expect(list.ok).toBe(false);
    const dup = parseVigilFile("failOn: any\nfailOn: never\n");
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems[0]!.line).toBe(2);
  });
});
