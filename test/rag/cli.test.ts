import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { INGEST_BATCH_BYTES, INGEST_BATCH_FILES } from "../../src/rag/cli.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { RUNBOOKS_DIR } from "./runbooks.ts";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../src/cli.ts");
const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");

// The CLI commands are HTTP clients: run the real `vigil` process against the app on a real socket.
describeEachDatabase(
  "vigil ingest/search/ask CLI",
  (db) => {
    const t = useApp(db, { project: "rag-cli" });
    const served = useServedApp(t);
    const dir = mkdtempSync(join(tmpdir(), "vigil-runbooks-"));
    // More files than one request carries (INGEST_BATCH_FILES): the folder goes in two batches.
    for (const sub of ["kubernetes", "node"])
      cpSync(join(RUNBOOKS_DIR, sub), join(dir, sub), { recursive: true });

    it("ingests a directory with a progress bar and a summary; a second run is all unchanged", async () => {
      const first = await run(tsx, [cli, "ingest", "runbooks", dir], { env: served.env });
      expect(first.stdout).toMatch(/^\d+ files: (\d+) added, 0 updated, 0 unchanged$/m);
      const n = Number(/^(\d+) files/.exec(first.stdout)![1]);
      expect(n).toBeGreaterThan(INGEST_BATCH_FILES);
      expect(first.stdout).toContain(`${n} added`);
      // The bar draws only on a terminal; piped stderr stays clean apart from errors.
      expect(first.stderr).not.toMatch(/failed|error/i);
      const second = await run(tsx, [cli, "ingest", "runbooks", dir], { env: served.env });
      expect(second.stdout).toContain(`${n} files: 0 added, 0 updated, ${n} unchanged`);
    }, 120_000);

    it("a batch the server refuses fails alone: the other files are stored, the exit code is 1", async () => {
      const bad = mkdtempSync(join(tmpdir(), "vigil-runbooks-bad-"));
      cpSync(join(RUNBOOKS_DIR, "general"), join(bad, "general"), { recursive: true });
      // Above the per-document content limit: it goes alone (INGEST_BATCH_BYTES) and gets a 400.
      writeFileSync(join(bad, "huge.md"), `# Huge\n\n${"x".repeat(INGEST_BATCH_BYTES + 1_000_000)}\n`);
      const r = await run(tsx, [cli, "ingest", "runbooks", bad, "--prefix", "bad/"], {
        env: served.env,
      }).catch((e) => e);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^5 files: 4 added, 0 updated, 0 unchanged, 1 failed$/m);
      expect(r.stderr).toMatch(/huge\.md: 4\d\d /);
      const list = await t.request("/api/v1/documents?pathPrefix=bad/");
      const { documents } = (await list.json()) as { documents: { path: string }[] };
      expect(documents.map((d) => d.path).sort()).toEqual(
        [
          "general/InfoInhibitor.md",
          "general/NodeNetworkInterfaceFlapping.md",
          "general/TargetDown.md",
          "general/Watchdog.md",
        ]
          .map((p) => `bad/${p}`)
          .sort(),
      );
    }, 120_000);

    it("searches and asks", async () => {
      const s = await run(tsx, [cli, "search", "Pod is crash looping CrashLoopBackOff", "-k", "3"], {
        env: served.env,
      });
      expect(s.stdout).toMatch(/^1\. Kube Pod Crash Looping/);
      const a = await run(tsx, [cli, "ask", "How do I check pod logs of a crash looping pod?"], {
        env: served.env,
      });
      expect(a.stdout).toMatch(/\[1\]/);
      expect(a.stdout).toMatch(/Sources:\n {2}\[1\] Kube Pod Crash Looping/);
    }, 60_000);

    it("fails clearly without an API key", async () => {
      const r = await run(tsx, [cli, "search", "x"], { env: { ...served.env, VIGIL_API_KEY: "" } }).catch(
        (e) => e,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/VIGIL_API_KEY/);
    }, 60_000);
  },
  ["pglite"],
);
