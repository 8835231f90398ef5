import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchSummary, checkRow, compileContract } from "../../src/predictions/contract-check.ts";
import { inferFields } from "../../src/predictions/contract-infer.ts";
import { ContractIn, type FeatureValue } from "../../src/predictions/model.ts";
import { checkBatchRules } from "../../src/schemas/contracts/rules.ts";

const contract = compileContract(
  ContractIn.parse({
    fields: {
      age: { type: "integer", nullable: false, min: 0, max: 120 },
      score: { type: "number", min: 0, max: 1, maxNullRate: 0.2 },
      plan: { type: "category", values: ["free", "pro"] },
      email: { type: "string", pattern: "^[^@]+@[^@]+$" },
      emb: { type: "vector", dimension: 3 },
      ok: { type: "boolean" },
    },
    violationThreshold: 0.1,
  }),
);

describe("checkRow", () => {
  it("passes a clean row", () => {
    expect(
      checkRow(contract, { age: 30, score: 0.5, plan: "pro", email: "a@b", emb: [1, 2, 3], ok: true }),
    ).toEqual([]);
  });
  it("names each broken rule", () => {
    const v = checkRow(contract, {
      age: 30.5,
      score: 2,
      plan: "gold",
      email: "nope",
      emb: [1, 2],
      ok: "yes" as never,
    });
    expect(v.map((x) => `${x.field}.${x.rule}`).sort()).toEqual([
      "age.type",
      "email.pattern",
      "emb.dimension",
      "ok.type",
      "plan.values",
      "score.max",
    ]);
  });
  it("non-nullable fields must be present; nullable ones may be null or absent", () => {
    expect(checkRow(contract, {}).map((x) => `${x.field}.${x.rule}`)).toEqual(["age.nullable"]);
    expect(checkRow(contract, { age: null, score: null })).toHaveLength(1);
    expect(checkRow(contract, { age: -1 })[0]).toMatchObject({ field: "age", rule: "min" });
  });
});

describe("BatchSummary", () => {
  it("counts violating rows, rules per field, null rates and schema changes", () => {
    const s = new BatchSummary(contract);
    const rows: Record<string, FeatureValue>[] = [
      ...Array.from({ length: 16 }, () => ({ age: 1, score: 0.5, extra: 1 })),
      { age: 500, score: null },
      { age: -3, score: null },
      { age: 4, score: null, plan: "gold" },
      { age: 4, score: null },
    ];
    for (const r of rows) s.add(r, checkRow(contract, r));
    expect(s.rows).toBe(20);
    expect(s.violatingRows).toBe(3);
    expect(s.counts).toEqual({ "age.max": 1, "age.min": 1, "plan.values": 1 });
    expect(s.violationRate).toBeCloseTo(0.15);
    expect(s.nullRateBreaches()).toEqual([]); // 4/20 = 0.2, not above
    expect(s.breached).toBe(true);
    expect(s.schemaChanges()).toEqual({ newFields: ["extra"], vanishedFields: ["email", "emb", "ok"] });
  });
  it("a field null more often than maxNullRate breaches even without row violations", () => {
    const s = new BatchSummary(contract);
    for (let i = 0; i < 10; i++) s.add({ age: 1, score: i < 3 ? null : 0.1 }, []);
    expect(s.nullRateBreaches()).toEqual([{ field: "score", rate: 0.3, max: 0.2 }]);
    expect(s.breached).toBe(true);
  });
  it("violation counts add up: each row counted once per field and rule (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ age: fc.integer({ min: -50, max: 200 }) }), { maxLength: 200 }),
        (rows) => {
          const s = new BatchSummary(contract);
          for (const r of rows) s.add(r, checkRow(contract, r));
          const bad = rows.filter((r) => r.age < 0 || r.age > 120).length;
          expect(s.violatingRows).toBe(bad);
          expect((s.counts["age.min"] ?? 0) + (s.counts["age.max"] ?? 0)).toBe(bad);
        },
      ),
    );
  });
});

describe("inferFields", () => {
  it("infers types, bounds, categories, vectors and nullability from a reference", () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      age: 20 + (i % 41),
      score: i / 100,
      plan: ["free", "pro", "team"][i % 3]!,
      note: `free text ${i}`,
      emb: [i, 0],
      ok: i % 2 === 0,
      ...(i % 10 === 0 ? {} : { maybe: 1.5 }),
    }));
    const f = inferFields(rows);
    expect(f.age).toEqual({ type: "integer", nullable: false, min: 16, max: 64 });
    expect(f.score!.type).toBe("number");
    expect(f.score!.min).toBeCloseTo(-0.099);
    expect(f.plan).toEqual({ type: "category", nullable: false, values: ["free", "pro", "team"] });
    expect(f.note).toEqual({ type: "string", nullable: false });
    expect(f.emb).toEqual({ type: "vector", nullable: false, dimension: 2 });
    expect(f.ok).toEqual({ type: "boolean", nullable: false });
    expect(f.maybe).toMatchObject({ type: "number", nullable: true, maxNullRate: 0.2 });
    // The reference passes its own inferred contract.
    const c = compileContract({ fields: f, violationThreshold: 0, detectSchemaChanges: true });
    expect(rows.every((r) => checkRow(c, r).length === 0)).toBe(true);
  });
});

describe("checkBatchRules", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  it("row count range and freshness", () => {
    const rules = { minRows: 10, maxRows: 100, windowSeconds: 3600, freshnessSeconds: 600 };
    expect(checkBatchRules(rules, { rows: 50, newest: "2026-01-01T11:55:00Z" }, now).every((c) => c.ok)).toBe(
      true,
    );
    const bad = checkBatchRules(rules, { rows: 5, newest: "2026-01-01T11:00:00Z" }, now);
    expect(bad.map((c) => [c.rule, c.ok])).toEqual([
      ["minRows", false],
      ["maxRows", true],
      ["freshness", false],
    ]);
    expect(checkBatchRules(rules, { rows: 0, newest: null }, now)[2]!.ok).toBe(false);
  });
});
