import { expect, it } from "vitest";
import { evaluateContractsOnWindow } from "../../src/predictions/evaluate.ts";
import type { ContractIn } from "../../src/predictions/model.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const now = Date.now();
/** 12,345 rows a second apart, newest first: more than two pages of the walk. */
const ROWS = Array.from({ length: 12_345 }, (_, i) => ({
  model: "m",
  requestId: `r${i}`,
  timestamp: new Date(now - (i + 1) * 1000).toISOString(),
  features: { x: i % 100, tag: i % 7 === 0 ? null : "a" },
}));

const strict: ContractIn = {
  fields: {
    x: { type: "integer", nullable: false, max: 89 },
    tag: { type: "string", nullable: true, maxNullRate: 0.1 },
  },
  violationThreshold: 0.05,
  detectSchemaChanges: true,
};
const loose: ContractIn = { ...strict, fields: { x: { type: "integer", nullable: false, max: 98 } } };

describeEachDatabase("contracts evaluated on stored predictions", (db) => {
  const t = useApp(db);

  it("checks every row of the window against each contract in one walk, or the newest maxRows", async () => {
    for (let i = 0; i < ROWS.length; i += 5000)
      expect((await t.post("/api/v1/predictions", ROWS.slice(i, i + 5000))).status).toBe(200);
    const window = { from: new Date(now - 86_400_000), to: new Date(now) };
    const all = await evaluateContractsOnWindow(
      t.deps.database.db,
      t.projectId,
      "m",
      [strict, loose],
      window,
    );
    const over = (rows: typeof ROWS, max: number) => rows.filter((r) => r.features.x > max).length;
    expect(all).toMatchObject({ rows: ROWS.length, evaluated: ROWS.length, sampled: false });
    expect(all.results[0]!.byRule).toEqual({ "x.max": over(ROWS, 89) });
    expect(all.results[0]!.violationRate).toBeCloseTo(over(ROWS, 89) / ROWS.length, 12);
    expect(all.results[0]!.nullRateBreaches).toEqual([
      { field: "tag", rate: ROWS.filter((r) => r.features.tag === null).length / ROWS.length, max: 0.1 },
    ]);
    expect(all.results[1]!.flagged).toBe(over(ROWS, 98));

    const newest = await evaluateContractsOnWindow(t.deps.database.db, t.projectId, "m", [strict], window, {
      maxRows: 7000,
    });
    expect(newest).toMatchObject({ rows: ROWS.length, evaluated: 7000, sampled: true });
    expect(newest.results[0]!.flagged).toBe(over(ROWS.slice(0, 7000), 89));

    const lastHour = await evaluateContractsOnWindow(t.deps.database.db, t.projectId, "m", [strict], {
      from: new Date(now - 3_600_000),
      to: new Date(now),
    });
    const inHour = ROWS.filter((r) => Date.parse(r.timestamp) >= now - 3_600_000);
    expect(lastHour).toMatchObject({ rows: inHour.length, evaluated: inHour.length });
    expect(lastHour.results[0]!.flagged).toBe(over(inHour, 89));
  });

  it("refuses rules zod accepts but that cannot run", async () => {
    const bad: ContractIn = { ...strict, fields: { x: { type: "string", nullable: true, pattern: "(" } } };
    await expect(
      evaluateContractsOnWindow(t.deps.database.db, t.projectId, "m", [bad], {
        from: new Date(0),
        to: new Date(),
      }),
    ).rejects.toThrow(/not a valid regular expression/);
  });
});
