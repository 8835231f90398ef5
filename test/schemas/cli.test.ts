import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerSchemaCommands, runSchemaDiff } from "../../src/schemas/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vigil-schema-cli-"));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

const v1 = file("v1.json", {
  fields: [
    { name: "id", type: "int", nullable: false },
    { name: "note", type: "text", nullable: true },
  ],
});
const v2ok = file("v2ok.json", {
  fields: [
    { name: "id", type: "bigint", nullable: false },
    { name: "note", type: "text", nullable: true },
  ],
});
const v2bad = file("v2bad.json", { fields: [{ name: "id", type: "bigint", nullable: false }] });
const sql = file("t.sql", "CREATE TABLE t (id integer NOT NULL, note text);");

describe("vigil schema diff", () => {
  it("exit 0 and a table for non-breaking changes", () => {
    const r = runSchemaDiff({ before: v1, after: v2ok });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\s+change\s+path/);
    expect(r.stdout).toMatch(/ok\s+type_changed\s+id\s+int32 → int64\s+int32 → int64 widens/);
    expect(r.stdout).toMatch(/1 change, 0 breaking/);
  });

  it("exit 1 on a breaking change", () => {
    const r = runSchemaDiff({ before: v1, after: v2bad });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/BREAKING\s+field_removed\s+note\s+- string/);
    expect(r.stdout).toMatch(/2 changes, 1 breaking/);
  });

  it("--json prints the diff; SQL and Vigil forms compare", () => {
    const r = runSchemaDiff({ before: sql, after: v1, json: true });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ breaking: false, changes: [] });
  });

  it("exit 2 on bad input, naming the file", () => {
    const broken = file("broken.json", "{ not json");
    const r = runSchemaDiff({ before: v1, after: broken });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${broken}: Input is not valid JSON`);
    expect(runSchemaDiff({ before: v1, after: join(dir, "missing.json") })).toMatchObject({
      exitCode: 2,
      stderr: expect.stringMatching(/Cannot read/),
    });
    expect(runSchemaDiff({ before: v1, after: file("x.json", { hello: 1 }) }).exitCode).toBe(2);
  });

  it("registers under commander and sets the exit code", async () => {
    const program = new Command().exitOverride();
    registerSchemaCommands(program);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await program.parseAsync(["schema", "diff", v1, v2bad, "--json"], { from: "user" });
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(String(out.mock.calls[0]?.[0]))).toMatchObject({ breaking: true });
    process.exitCode = 0;
    await program.parseAsync(["schema", "diff", v1, v2ok, "--format", "vigil"], { from: "user" });
    expect(process.exitCode).toBe(0);
    expect(() => program.parse(["schema", "diff", v1, v2ok, "--format", "avro"], { from: "user" })).toThrow();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
});
