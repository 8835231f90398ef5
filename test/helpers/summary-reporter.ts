import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints how many tests ran on each database, then closing lines that CI systems read: tests by
 * outcome ("N passed, N failed, N skipped", counting tests as vitest's own "Tests" line does), and
 * files separately, each failed file with why — a failed test, a hook that failed (its suite's
 * tests then never ran and count as skipped), or a file that did not load.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []) {
    const counts = { pglite: 0, postgres: 0 };
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failedFiles: string[] = [];
    let passedFiles = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
        else skipped++;
        if (state !== "passed") continue;
        if (test.fullName.includes("[pglite]")) counts.pglite++;
        if (test.fullName.includes("[postgres]")) counts.postgres++;
      }
      failed += failedHere;
      if (mod.state() !== "failed") {
        if (mod.state() === "passed") passedFiles++;
        continue;
      }
      const why: string[] = [];
      if (failedHere) why.push(`${failedHere} failed test${failedHere === 1 ? "" : "s"}`);
      // A suite with errors of its own (a beforeAll/afterAll that threw).
      const hookFailures = [...mod.children.allSuites()].filter((s) => s.errors().length > 0).length;
      if (hookFailures) why.push(`${hookFailures} suite${hookFailures === 1 ? "" : "s"} failed in a hook`);
      const own = mod.errors();
      if (own.length) why.push(firstLine(own[0]!));
      failedFiles.push(`${mod.relativeModuleId}${why.length ? ` (${why.join("; ")})` : ""}`);
    }
    console.log(
      `\ndatabase suites: ${counts.pglite} tests passed on PGlite, ${counts.postgres} on PostgreSQL`,
    );
    console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    const files = `vitest files: ${passedFiles} passed, ${failedFiles.length} failed`;
    console.log(failedFiles.length ? `${files}: ${failedFiles.join(", ")}` : files);
    if (unhandledErrors.length)
      console.log(
        `vitest: ${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? "" : "s"} (the run fails): ${firstLine(unhandledErrors[0]!)}`,
      );
  }
}

function firstLine(e: SerializedError): string {
  const text = `${e.name ?? "Error"}: ${e.message ?? ""}`;
  return text.split("\n")[0]!.slice(0, 200);
}
