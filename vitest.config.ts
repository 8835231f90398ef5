import { defineConfig } from "vitest/config";

/** Slow reliability tests (kill -9, outages, several processes) run by `npm run test:reliability`. */
export const SLOW_TESTS = "test/reliability/**/*.slow.test.ts";

export default defineConfig({
  test: {
    // Middleware keeps its tests beside it (src/http/middleware/*.test.ts), as hono does.
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["**/node_modules/**", SLOW_TESTS],
    globalSetup: ["./test/helpers/global-setup.ts"],
    testTimeout: 30_000,
    // Generous: a busy 2-core machine can take a minute to start an embedded Postgres.
    hookTimeout: 180_000,
    // 2 cores: PGlite instances are memory- and CPU-heavy, keep parallelism modest.
    maxWorkers: 2,
    reporters: ["default", "./test/helpers/summary-reporter.ts", "./test/reliability/ledger-reporter.ts"],
  },
});
