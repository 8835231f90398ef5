import { describe, expect, it } from "vitest";
import { capAnnotations, fitSummary, MAX_ANNOTATIONS, MAX_SUMMARY } from "../../src/github/check-output.ts";
import {
  type ContractCheck,
  contractAnnotations,
  contractsConclusion,
} from "../../src/github/contracts-check.ts";
import { type DatasetCheck, readFields } from "../../src/github/schema-check.ts";
import { schemaAnnotations, schemaConclusion, schemaReport } from "../../src/github/schema-report.ts";
import type { ContractEvaluation } from "../../src/predictions/evaluate.ts";
import { diffSchemas, type SchemaChange } from "../../src/schemas/check.ts";

const change = (
  c: Partial<SchemaChange> & Pick<SchemaChange, "kind" | "path" | "breaking">,
): SchemaChange => ({
  reason: "because",
  ...c,
});
const breaking = change({ kind: "field_removed", path: "a", from: "int64", breaking: true });
const harmless = change({ kind: "field_added", path: "b", to: "string", breaking: false });

const dataset = (changes: SchemaChange[], extra: Partial<DatasetCheck> = {}): DatasetCheck => ({
  dataset: "orders",
  path: "schemas/orders.json",
  state: "changed",
  changes,
  configLine: 2,
  ...extra,
});

const ctx = { failOn: "breaking" as const, overrideLabel: "ok-to-break", overridden: false };

describe("schema check conclusion", () => {
  it.each([
    ["breaking", [breaking], false, "failure", "1 breaking change in 1 dataset"],
    ["breaking", [breaking], true, "success", "1 breaking change allowed by the ok-to-break label"],
    ["breaking", [harmless], false, "success", "1 schema change, none breaking"],
    ["any", [harmless], false, "failure", "1 schema change in 1 dataset"],
    ["any", [harmless, breaking], true, "success", "2 schema changes allowed by the ok-to-break label"],
    ["never", [breaking], false, "success", "1 breaking change, not failing (failOn: never)"],
    ["breaking", [], false, "success", "No schema changes"],
  ] as const)("failOn %s with %j, overridden %s → %s", (failOn, changes, overridden, conclusion, title) => {
    expect(schemaConclusion([dataset([...changes])], { ...ctx, failOn, overridden })).toEqual({
      conclusion,
      title,
    });
  });

  it("a broken file is neutral, unless a failing change elsewhere is known", () => {
    const broken = dataset([], { state: "broken", problem: { message: "x", path: ".vigil.yml", line: 4 } });
    expect(schemaConclusion([broken, dataset([harmless])], ctx)).toEqual({
      conclusion: "neutral",
      title: "1 schema file could not be checked",
    });
    expect(schemaConclusion([broken, dataset([breaking])], ctx).conclusion).toBe("failure");
  });
});

describe("schema check annotations and summary", () => {
  it("a removed field on line 1 naming it; others on their line; failure for breaking, warning otherwise", () => {
    const lines: Record<string, number> = { b: 7 };
    const out = schemaAnnotations([dataset([harmless, breaking], { locate: (p) => lines[p] })], ".vigil.yml");
    expect(out).toEqual([
      {
        path: "schemas/orders.json",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: "orders.a: field removed (breaking)",
        message: "Field a (int64) was removed: because",
      },
      expect.objectContaining({ start_line: 7, annotation_level: "warning", title: "orders.b: field added" }),
    ]);
  });

  it("a deleted file is one annotation on its .vigil.yml entry", () => {
    const deleted = dataset([breaking, breaking], { state: "deleted", fieldCount: 2, configLine: 5 });
    expect(schemaAnnotations([deleted], ".vigil.yaml")).toEqual([
      expect.objectContaining({ path: ".vigil.yaml", start_line: 5, annotation_level: "failure" }),
    ]);
  });

  it("escapes Markdown in table cells and keeps the summary within GitHub's limit", () => {
    const piped = change({
      kind: "type_changed",
      path: "a|b",
      from: "x",
      to: "y",
      breaking: true,
      reason: "line1\nline2 | more",
    });
    const report = schemaReport([dataset([piped])], {
      ...ctx,
      linked: false,
      installationId: 1,
      configPath: ".vigil.yml",
    });
    expect(report.summary).toContain("| `a\\|b` | type x → y | **yes** | line1 line2 \\| more |");
    const many = Array.from({ length: 3000 }, (_, i) =>
      change({ kind: "field_removed", path: `field_${i}_${"x".repeat(40)}`, from: "int64", breaking: true }),
    );
    const big = schemaReport([dataset(many)], {
      ...ctx,
      linked: false,
      installationId: 1,
      configPath: ".vigil.yml",
    });
    expect(big.summary.length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(big.summary).toContain("cut here");
    expect(big.annotations).toHaveLength(MAX_ANNOTATIONS);
  });

  it("the readers of a change are those of the old field", () => {
    const d = diffSchemas(
      {
        fields: [
          { name: "a", type: "int64", nullable: false },
          {
            name: "s",
            type: "struct",
            nullable: true,
            fields: [{ name: "old", type: "string", nullable: true }],
          },
        ],
      },
      {
        fields: [
          { name: "a", type: "string", nullable: false },
          {
            name: "s",
            type: "struct",
            nullable: true,
            fields: [{ name: "new", type: "string", nullable: true }],
          },
          { name: "c", type: "string", nullable: true },
        ],
      },
    );
    expect(readFields(d.changes).sort()).toEqual(["a", "s.old"]);
  });
});

describe("output limits", () => {
  it("keeps failures first when annotations are capped", () => {
    const a = (level: "failure" | "warning", i: number) => ({
      path: "f",
      start_line: i,
      end_line: i,
      annotation_level: level,
      message: "m",
    });
    const { annotations, note } = capAnnotations([
      ...Array.from({ length: MAX_ANNOTATIONS }, (_, i) => a("failure", i)),
      a("warning", 0),
    ]);
    expect(annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(note).toContain(`${MAX_ANNOTATIONS} of ${MAX_ANNOTATIONS + 1}`);
    expect(fitSummary(["a", "", "b"])).toBe("a\n\nb");
  });
});

describe("contracts check", () => {
  const evaluation = (now: Partial<ContractEvaluation>, was?: Partial<ContractEvaluation>) => ({
    from: "",
    to: "",
    rows: 100,
    evaluated: 100,
    sampled: false,
    results: [now, ...(was ? [was] : [])].map((r) => ({
      flagged: 0,
      violationRate: 0,
      byRule: {},
      nullRateBreaches: [],
      ...r,
    })),
  });
  const evaluated = (now: Partial<ContractEvaluation>, was?: Partial<ContractEvaluation>): ContractCheck => ({
    model: "churn",
    path: "c.json",
    configLine: 3,
    state: "evaluated",
    threshold: 0.05,
    hasBase: was !== undefined,
    evaluation: evaluation(now, was),
    fieldLine: (f) => (f === "user.age" ? 9 : undefined),
  });
  const cctx = { overrideLabel: "ok", overridden: false };

  it("fails above the threshold (not at it), passes with the override label", () => {
    expect(contractsConclusion([evaluated({ violationRate: 0.05 })], cctx).conclusion).toBe("success");
    expect(contractsConclusion([evaluated({ violationRate: 0.051 })], cctx).conclusion).toBe("failure");
    expect(
      contractsConclusion([evaluated({ violationRate: 0.5 })], { ...cctx, overridden: true }).conclusion,
    ).toBe("success");
  });

  it("is neutral when nothing could be evaluated, success when nothing changed", () => {
    const base = { model: "m", path: "p", configLine: 1 };
    expect(contractsConclusion([{ ...base, state: "unlinked" }], cctx).conclusion).toBe("neutral");
    expect(contractsConclusion([{ ...base, state: "no_data" }], cctx).conclusion).toBe("neutral");
    expect(contractsConclusion([{ ...base, state: "unchanged" }], cctx)).toEqual({
      conclusion: "success",
      title: "No contract changed",
    });
  });

  it("annotates only rules the change makes flag more rows, on the field's line (dotted field names too)", () => {
    const check = evaluated(
      { violationRate: 0.3, byRule: { "user.age.max": 30, "plan.values": 5 } },
      { violationRate: 0.05, byRule: { "plan.values": 5 } },
    );
    expect(contractAnnotations([check])).toEqual([
      expect.objectContaining({ start_line: 9, annotation_level: "failure", title: "churn.user.age: max" }),
    ]);
  });
});
