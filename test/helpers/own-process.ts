import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs `source` (an ES module in TypeScript; `@src/` stands for the repository's src/) in a Node
 * process of its own, as the CLI runs, and returns how it ended. For what only a whole process
 * shows: whether something keeps it alive after its work is done.
 */
export function runOwnProcess(source: string, timeoutMs = 20_000) {
  const dir = mkdtempSync(join(tmpdir(), "vigil-own-process-"));
  try {
    const file = join(dir, "main.mts");
    writeFileSync(file, source.replaceAll("@src/", `${join(import.meta.dirname, "../../src")}/`));
    const started = performance.now();
    const out = spawnSync(process.execPath, ["--import", "tsx", file], {
      encoding: "utf8",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
    return {
      status: out.status,
      signal: out.signal,
      stdout: out.stdout,
      stderr: out.stderr,
      ms: performance.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
