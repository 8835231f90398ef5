/**
 * Every route of /openapi.json, on both databases, with requests generated from its own schemas
 * and hostile values mixed in (test/reliability/openapi-arbitraries.ts): no answer is a 5xx and
 * every error is the API's JSON error shape. `VIGIL_FUZZ_RUNS` sets the runs per route (default a
 * few, for `npm test`); `VIGIL_FUZZ_SEED` replays a failure fast-check printed.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { type FuzzRequest, type OpenApiDoc, operations, requestsFor } from "./openapi-arbitraries.ts";
import { problemWith } from "./responses.ts";

const RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 6);
const SEED = process.env.VIGIL_FUZZ_SEED === undefined ? undefined : Number(process.env.VIGIL_FUZZ_SEED);

/** What each engine's run sent and got, for the reliability table. */
export interface FuzzTally {
  routes: number;
  sent: number;
  serverErrors: number;
}

describeEachDatabase("hostile requests to every route", (db) => {
  const t = useApp(db);

  it(`answers ${RUNS} generated requests a route with a 4xx at worst, in the error shape`, async () => {
    const doc = (await (await t.request("/openapi.json")).json()) as OpenApiDoc;
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(60);
    const tally: FuzzTally = { routes: ops.length, sent: 0, serverErrors: 0 };
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
          if (res.status >= 500) tally.serverErrors++;
          if (process.env.VIGIL_FUZZ_VERBOSE && (res.status >= 500 || res.status === 400)) {
            const code = (
              (await res
                .clone()
                .json()
                .catch(() => ({}))) as { error?: { code?: string } }
            ).error?.code;
            if (res.status >= 500 || code === "unstorable_input")
              console.info(`${op.method} ${op.path} ${res.status} ${code}`);
          }
          const problem = await problemWith(req.path, res);
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
    console.info(
      `[${db.kind}] fuzz: ${tally.routes} routes, ${tally.sent} requests, ${tally.serverErrors} answered 5xx`,
    );
    expect(failures).toEqual([]);
  });
});
