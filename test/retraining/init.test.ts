import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseVigilFile } from "../../src/github/vigil-file.ts";
import { INIT_FILES, init } from "../../src/retraining/init.ts";

// These tests start the CLI as child processes (tsx compiles it each time): on a loaded 2-core
// machine one start takes 5–10 s, so the default 30 s is too short for a test that runs several.
vi.setConfig({ testTimeout: 120_000 });

const root = new URL("../../", import.meta.url).pathname;

describe("vigil init", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vigil-init-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes .vigil.yml, the retraining workflow, its report action and an OpenTelemetry setup", () => {
    const result = init({ dir, force: false, model: "churn", vigilUrl: "https://vigil.example.com" });
    expect(result).toEqual({ written: Object.values(INIT_FILES), existing: [] });
    const vigilFile = parseVigilFile(readFileSync(join(dir, INIT_FILES.vigilFile), "utf8"));
    expect(vigilFile.ok && vigilFile.file).toMatchObject({ schemas: [], contracts: [], failOn: "breaking" });
    // The copies are the files of actions/, unchanged.
    expect(readFileSync(join(dir, INIT_FILES.workflow), "utf8")).toBe(
      readFileSync(join(root, "actions/retrain/workflow.yml"), "utf8"),
    );
    expect(readFileSync(join(dir, INIT_FILES.reportAction), "utf8")).toBe(
      readFileSync(join(root, "actions/report/action.yml"), "utf8"),
    );
    const otel = readFileSync(join(dir, INIT_FILES.otel), "utf8");
    expect(otel).toContain('"churn"');
    expect(otel).toContain('"https://vigil.example.com"');
    expect(otel).toContain('"/v1/traces"');
    expect(otel).toContain("vigil.prediction.model");
  });

  it("refuses to overwrite anything without --force, and overwrites with it", () => {
    writeFileSync(join(dir, ".vigil.yml"), "schemas: [] # mine\n");
    const refused = init({ dir, force: false, model: "m", vigilUrl: "http://localhost:8080" });
    expect(refused).toEqual({ written: [], existing: [".vigil.yml"] });
    expect(readFileSync(join(dir, ".vigil.yml"), "utf8")).toBe("schemas: [] # mine\n");
    // All or nothing: the other files were not written either.
    expect(existsSync(join(dir, INIT_FILES.workflow))).toBe(false);
    const forced = init({ dir, force: true, model: "m", vigilUrl: "http://localhost:8080" });
    expect(forced.written).toHaveLength(4);
    expect(readFileSync(join(dir, ".vigil.yml"), "utf8")).not.toContain("# mine");
  });

  it("the command prints what it wrote, and exits 1 naming what exists", () => {
    const vigil = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin/vigil.js"), "init", "--dir", dir, ...args], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    const first = vigil("--model", "churn");
    expect(first.status, first.stderr).toBe(0);
    for (const path of Object.values(INIT_FILES)) expect(first.stdout).toContain(`wrote ${path}`);
    const again = vigil();
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(".vigil.yml, .github/workflows/vigil-retrain.yml");
    expect(again.stderr).toContain("--force overwrites");
    const forced = vigil("--force");
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain("wrote .vigil.yml (overwritten)");
  }, 60_000);
});
