import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints how many tests ran on each database, and a plain "N passed, N failed" closing line
 * that CI systems read.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const counts = { pglite: 0, postgres: 0 };
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      // A suite whose beforeAll failed (or a file that failed to load) leaves its tests "skipped":
      // count each such suite or file as one failure, so the closing line never hides it.
      const failedSuites = [...mod.children.allSuites()].filter(
        (suite) => suite.state() === "failed" && suite.children.allTests("failed").next().done,
      ).length;
      failed += failedSuites;
      if (mod.state() === "failed" && !failedSuites && mod.children.allTests("failed").next().done) failed++;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
        if (state !== "passed") continue;
        if (test.fullName.includes("[pglite]")) counts.pglite++;
        if (test.fullName.includes("[postgres]")) counts.postgres++;
      }
    }
    console.log(
      `\ndatabase suites: ${counts.pglite} tests passed on PGlite, ${counts.postgres} on PostgreSQL`,
    );
    console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
