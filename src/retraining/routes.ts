/**
 * The retraining loop's API: start a run by hand, list runs and decisions, one run with its
 * history, and the result the workflow posts — authenticated by the run's own GitHub Actions OIDC
 * token or by a project API key (so app.ts leaves that path's authentication to this router).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../deps.ts";
import { getMonitor } from "../drift/monitors/read.ts";
import { gitHubFor } from "../github/app.ts";
import type { AppEnv } from "../http/env.ts";
import { createRouter } from "../http/env.ts";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { IdParam } from "../http/params.ts";
import { DomainError } from "../lib/errors.ts";
import { ListQuery, ManualRetrain, RetrainingEvent, RetrainingResult, RetrainingRun } from "./model.ts";
import { isJwt, oidcVerifierFor, type RunClaims } from "./oidc.ts";
import { requestRetraining } from "./request.ts";
import { type ResultAuth, recordResult } from "./result.ts";
import {
  decodeCursor,
  encodeCursor,
  getRun,
  getRunById,
  listRuns,
  type RunRow,
  runEvents,
  toRun,
} from "./store.ts";

/** The result route authenticates itself: app.ts's API-key middleware skips it. */
export const RESULT_PATH = /^\/api\/v1\/retraining\/[^/]+\/result\/?$/;

const DispatchIdParam = z.object({
  dispatchId: z.uuid().openapi({ param: { name: "dispatchId", in: "path" }, description: "The run's id" }),
});

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];

/** The run's workflow file as the token's workflow_ref names it: owner/repo/.github/workflows/<file>@ref. */
const workflowFile = (ref: string | undefined) => /\/\.github\/workflows\/([^@/]+)@/.exec(ref ?? "")?.[1];

/** Whether the token is of the run Vigil dispatched for `run` (its repository; its run, once known). */
function checkClaims(run: RunRow, claims: RunClaims): void {
  const forbidden = (code: string, message: string) => new ApiError(403, code, message);
  if (claims.repository.toLowerCase() !== run.repo.toLowerCase())
    throw forbidden(
      "token_repository_mismatch",
      `The token is of a run in ${claims.repository}; retraining ${run.id} was dispatched to ${run.repo}`,
    );
  if (run.runId !== null) {
    if (claims.run_id !== String(run.runId))
      throw forbidden(
        "token_run_mismatch",
        `The token is of run ${claims.run_id}; retraining ${run.id} is run ${run.runId}`,
      );
    return;
  }
  // GitHub has not said which run the dispatch became: a dispatched run of the same workflow.
  if (claims.event_name !== undefined && claims.event_name !== "workflow_dispatch")
    throw forbidden(
      "token_run_mismatch",
      `The token is of a run started by ${claims.event_name}, not a dispatch`,
    );
  const file = workflowFile(claims.workflow_ref);
  if (/\.ya?ml$/.test(run.workflow) && file !== undefined && file !== run.workflow)
    throw forbidden(
      "token_run_mismatch",
      `The token is of a run of ${file}; retraining ${run.id} dispatched ${run.workflow}`,
    );
}

export interface RetrainingRouteOptions {
  /** The project API key check (auth's middleware, handed over by app.ts). */
  apiKeyAuth: MiddlewareHandler<AppEnv>;
}

export function retrainingRoutes(deps: AppDeps, options: RetrainingRouteOptions) {
  const app = createRouter();
  const db = deps.database.db;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/monitors/{id}/retrain",
      summary: "Start the monitor's retraining workflow now",
      description:
        "Decides as a drifted report would (one run in flight per model, the policy's cooldown — `force: true` passes the cooldown) and records the decision: 202 with the run whose dispatch is queued, or 409 with the skipped record saying why.",
      tags: ["retraining"],
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: ManualRetrain } }, required: false },
      },
      responses: {
        202: json(z.object({ run: RetrainingRun }), "Dispatch queued"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
        404: ErrorResponses[404],
        409: errorResponse(
          "Not dispatched: `error.code` is retraining_in_flight, _cooldown or _policy_off; `details.run` is the record",
        ),
        422: errorResponse("The monitor has no retrainPolicy"),
        503: errorResponse("Vigil is not a GitHub App yet: the message says what to set"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") ?? { force: false };
      if (!(await getMonitor(db, c.get("project").id, id))) throw notFound("No such monitor");
      // Nothing can be dispatched without the App: say what to set rather than record a failure.
      await gitHubFor(deps).require();
      const requested = await requestRetraining(deps, {
        projectId: c.get("project").id,
        monitorId: id,
        trigger: "manual",
        requestedBy: `api-key:${c.get("apiKeyId")}`,
        force: body.force ?? false,
        ...(body.reason ? { reason: body.reason } : {}),
      });
      if (!requested) throw notFound("No such monitor");
      const run = toRun(requested.run);
      if (requested.decision.action === "skip")
        throw new ApiError(409, `retraining_${requested.decision.reason}`, requested.decision.message, {
          run,
          ...(requested.decision.until ? { until: requested.decision.until.toISOString() } : {}),
        });
      return c.json({ run }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/retraining",
      summary: "Retraining runs and decisions not to dispatch, newest first",
      tags: ["retraining"],
      request: { query: ListQuery },
      responses: {
        200: json(
          z.object({ runs: z.array(RetrainingRun), nextCursor: z.string().nullable() }),
          "A page of runs",
        ),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (q.cursor && !cursor) throw badRequest("Invalid cursor");
      const rows = await listRuns(db, c.get("project").id, {
        ...(q.model ? { model: q.model } : {}),
        ...(q.monitor ? { monitorId: q.monitor } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(cursor ? { cursor } : {}),
        limit: q.limit,
      });
      const last = rows.at(-1);
      return c.json(
        { runs: rows.map(toRun), nextCursor: rows.length === q.limit && last ? encodeCursor(last) : null },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/retraining/{id}",
      summary: "A retraining run with its history (decision, dispatch, webhooks, polls, result)",
      tags: ["retraining"],
      request: { params: IdParam },
      responses: {
        200: json(z.object({ run: RetrainingRun, events: z.array(RetrainingEvent) }), "The run"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
        404: ErrorResponses[404],
      },
    }),
    async (c) => {
      const projectId = c.get("project").id;
      const { id } = c.req.valid("param");
      const run = await getRun(db, projectId, id);
      if (!run) throw notFound(`No retraining run ${id}`);
      return c.json({ run: toRun(run), events: await runEvents(db, projectId, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/retraining/{dispatchId}/result",
      summary: "The workflow reports the model version it trained",
      description:
        "Authenticated by the run's GitHub Actions OIDC token (audience VIGIL_PUBLIC_URL; its `repository` and `run_id` must be the dispatch's) or by a project API key. Records the version, resolves the drift incidents the run answers, and moves the monitor's reference to the version when its policy says `rebaseReference`. Reporting again updates the record.",
      tags: ["retraining"],
      request: {
        params: DispatchIdParam,
        body: { content: { "application/json": { schema: RetrainingResult } }, required: true },
      },
      responses: {
        200: json(z.object({ run: RetrainingRun }), "Recorded"),
        400: ErrorResponses[400],
        401: errorResponse(
          "No token, or a token that does not verify (expired, bad signature, wrong audience or issuer)",
        ),
        403: errorResponse("A valid token of another repository or run"),
        404: ErrorResponses[404],
        409: errorResponse("The retraining was never dispatched"),
        503: errorResponse("The token issuer's keys cannot be fetched; retry later"),
      },
    }),
    async (c) => {
      const { dispatchId } = c.req.valid("param");
      const token = bearer(c.req.header("authorization"));
      let run: RunRow | undefined;
      let auth: ResultAuth;
      if (token && isJwt(token)) {
        let claims: RunClaims;
        try {
          claims = await oidcVerifierFor(deps.config).verify(token);
        } catch (error) {
          if (error instanceof DomainError && error.kind === "invalid")
            throw new ApiError(401, error.code, error.message);
          throw error;
        }
        run = await getRunById(db, dispatchId);
        if (!run) throw notFound(`No retraining run ${dispatchId}`);
        checkClaims(run, claims);
        auth = {
          kind: "oidc",
          runId: Number(claims.run_id),
          ...(claims.run_attempt ? { runAttempt: Number(claims.run_attempt) } : {}),
          by: claims.sub,
        };
      } else {
        await options.apiKeyAuth(c, async () => {});
        run = await getRun(db, c.get("project").id, dispatchId);
        if (!run) throw notFound(`No retraining run ${dispatchId}`);
        auth = { kind: "api_key", by: `api-key:${c.get("apiKeyId")}` };
      }
      const result = c.req.valid("json");
      return c.json({ run: toRun(await recordResult(deps, run.id, result, auth)) }, 200);
    },
  );

  return app;
}
