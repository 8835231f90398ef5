import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const require = createRequire(import.meta.url);
const vitestBin = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");

it("counts tests, not files; failed files are said separately, with why", () => {
  // A separate vitest run over fixture files that pass, fail a test, fail in a hook, fail to load.
  const cwd = fileURLToPath(new URL("./fixtures/summary-reporter/", import.meta.url));
  const r = spawnSync(process.execPath, [vitestBin, "run"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "", NO_COLOR: "1" },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stdout.split("\n");
  expect(lines).toContain("database suites: 2 tests passed on PGlite, 0 on PostgreSQL");
  // One test failed; the hook's two tests never ran (skipped, as vitest counts them), plus one it.skip.
  expect(lines).toContain("vitest: 3 passed, 1 failed, 3 skipped");
  const files = lines.find((l) => l.startsWith("vitest files: "));
  expect(files).toMatch(/^vitest files: 1 passed, 3 failed: /);
  expect(files).toContain("failing-hook.case.ts (1 suite failed in a hook)");
  expect(files).toContain("failing-test.case.ts (1 failed test)");
  expect(files).toMatch(/failing-load\.case\.ts \(Error: Cannot find module '\.\/does-not-exist\.ts'/);
});
