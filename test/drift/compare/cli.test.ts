import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerDriftCommands, runDriftCompare } from "../../../src/drift/compare/cli.ts";
import { generateSample } from "../../../src/drift/stats/generate.ts";

const dir = mkdtempSync(join(tmpdir(), "vigil-drift-cli-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const normal = (n: number, seed: number, loc = 0) =>
  Array.from(generateSample({ dist: "normal", n, seed, loc }));
const csv = (xs: number[], cats: string[]) =>
  "x,c\n" + xs.map((v, i) => `${v},${cats[i % cats.length]}`).join("\n") + "\n";

describe("vigil drift compare", () => {
  const ref = file("ref.csv", csv(normal(400, 1), ["a", "b"]));
  const same = file("same.csv", csv(normal(400, 2), ["a", "b"]));
  const shifted = file("shifted.csv", csv(normal(400, 3, 1), ["a", "a", "a", "b"]));

  it("no drift → exit 0 and a readable table", () => {
    const r = runDriftCompare({ reference: ref, current: same });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^column\s+type\s+test\s+statistic\s+p-value/);
    expect(r.stdout).toMatch(/^x\s+numerical\s+ks\s/m);
    expect(r.stdout).toMatch(/^c\s+categorical\s+z\s/m);
    expect(r.stdout).toContain("dataset drift not detected");
  });

  it("drift → exit 1; --json prints the result object", () => {
    const r = runDriftCompare({ reference: ref, current: shifted, json: true });
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.stdout) as { drifted: boolean; columns: { name: string; drifted: boolean }[] };
    expect(body.drifted).toBe(true);
    expect(body.columns.every((c) => c.drifted)).toBe(true);
  });

  it("--columns overrides the test; --share raises the bar", () => {
    const r = runDriftCompare({
      reference: ref,
      current: shifted,
      columns: '{"x":{"test":"psi","threshold":0.2}}',
      share: "1",
      json: true,
    });
    const body = JSON.parse(r.stdout) as { columns: { test: string; threshold: number }[] };
    expect(body.columns[0]).toMatchObject({ test: "psi", threshold: 0.2 });
  });

  it("bad input → exit 2 with a message", () => {
    expect(runDriftCompare({ reference: join(dir, "missing.csv"), current: same }).exitCode).toBe(2);
    const other = file("other.csv", "y\n1\n2\n");
    const r = runDriftCompare({ reference: ref, current: other });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/same columns/);
    expect(
      runDriftCompare({ reference: ref, current: same, columns: '{"x":{"test":"nope"}}' }).exitCode,
    ).toBe(2);
  });

  it("registers `drift compare` on a commander program", () => {
    const program = new Command();
    registerDriftCommands(program);
    const drift = program.commands.find((c) => c.name() === "drift");
    expect(drift?.commands.map((c) => c.name())).toEqual(["compare"]);
  });
});
