import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * `npm run test:reliability`: the whole reliability suite, the fast files that `npm test` also runs
 * and the slow ones (processes killed, databases stopped and frozen, several instances at once).
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ["test/reliability/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    // The slow files each start servers, workers or a PostgreSQL cluster: one file at a time keeps a
    // busy 2-core machine from starving them.
    maxWorkers: 1,
    // The bad-input fuzz (fuzz-routes.test.ts) runs 4 requests a route in `npm test`, 40 here.
    env: { VIGIL_FUZZ_RUNS: process.env.VIGIL_FUZZ_RUNS ?? "40" },
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
