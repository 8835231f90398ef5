/**
 * Every route of /openapi.json, on both databases, with requests generated from its own schemas
 * and hostile values mixed in (test/reliability/openapi-arbitraries.ts): no answer is a 5xx and
 * every error is the API's JSON error shape. `VIGIL_FUZZ_RUNS` sets the runs per route (default a
 * few, for `npm test`); `VIGIL_FUZZ_SEED` replays a failure fast-check printed;
 * `VIGIL_FUZZ_VERBOSE=1` prints each 5xx and each 400 `unstorable_input` (a value only the
 * database refused: a check missing at the edge).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { recordRun } from "./ledger.ts";
import { type FuzzRequest, type OpenApiDoc, operations, requestsFor } from "./openapi-arbitraries.ts";
import { problemWith } from "./responses.ts";

const RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 4);
const SEED = process.env.VIGIL_FUZZ_SEED === undefined ? undefined : Number(process.env.VIGIL_FUZZ_SEED);
const VERBOSE = Boolean(process.env.VIGIL_FUZZ_VERBOSE);

/** What each engine's run sent and got, for the reliability table. */
interface FuzzTally {
  routes: number;
  sent: number;
  accepted: number;
  /** 5xx other than a 503 that says why (GitHub App not configured): each is a failure below. */
  serverErrors: number;
}

describeEachDatabase("hostile requests to every route", (db) => {
  const t = useApp(db);

  it(
    `answers ${RUNS} generated requests a route with a 4xx at worst, in the error shape`,
    async () => {
      const doc = (await (await t.request("/openapi.json")).json()) as OpenApiDoc;
      const ops = operations(doc);
      expect(ops.length).toBeGreaterThan(60);
      const tally: FuzzTally = { routes: ops.length, sent: 0, accepted: 0, serverErrors: 0 };
      const failures: string[] = [];
      for (const op of ops) {
        const result = await fc.check(
          fc.asyncProperty(requestsFor(doc, op), async (req: FuzzRequest) => {
            tally.sent++;
            const res = await t.request(req.path, {
              method: req.method,
              headers: req.headers,
              body: req.method === "GET" || req.method === "HEAD" ? undefined : req.body,
            });
            if (res.status < 300) tally.accepted++;
            if (VERBOSE && (res.status >= 500 || res.status === 400)) {
              const body = (await res
                .clone()
                .json()
                .catch(() => ({}))) as { error?: { code?: string } };
              if (res.status >= 500 || body.error?.code === "unstorable_input")
                console.info(`${op.method} ${op.path} ${res.status} ${body.error?.code}`);
            }
            const problem = await problemWith(req.path, res);
            if (problem && res.status >= 500) tally.serverErrors++;
            if (problem) throw new Error(problem);
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        if (result.failed) {
          const req = result.counterexample?.[0] as FuzzRequest | undefined;
          const body = typeof req?.body === "string" ? req.body.slice(0, 300) : req?.body;
          failures.push(
            `${op.method} ${op.path} (seed ${result.seed}): ${(result.errorInstance as Error)?.message}\n` +
              `  ${req?.method} ${req?.path.slice(0, 300)} ${JSON.stringify(req?.headers)} ${JSON.stringify(body)}`,
          );
        }
      }
      recordRun({
        test: `fuzz: every route [${db.kind}]`,
        load: `${tally.routes} routes × ${RUNS} generated requests (${tally.accepted} answered 2xx)`,
        faults: "NUL, lone surrogates, %00, huge, 10k-deep, bad dates and numbers, broken bodies",
        sent: tally.sent,
        acked: null,
        stored: null,
        lost: null,
        duplicated: null,
        fiveXX: tally.serverErrors,
      });
      expect(failures).toEqual([]);
      // ~80 routes a run; a busy machine answers a PGlite request in tens of milliseconds.
    },
    60_000 + RUNS * 5_000,
  );
});
