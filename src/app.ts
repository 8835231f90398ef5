import { httpInstrumentationMiddleware } from "@hono/otel";
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { alertRoutes } from "./alerts/routes.ts";
import { KeyCache } from "./auth/key-cache.ts";
import { requireApiKey } from "./auth/middleware.ts";
import { onKeyRevoked } from "./auth/revocations.ts";
import { otelEnabled } from "./config.ts";
import { inputRefusedByDatabase, isDatabaseUnavailable } from "./db/errors.ts";
import { registerDatabaseMetrics } from "./db/metrics.ts";
import type { AppDeps } from "./deps.ts";
import { DRIFT_COMPARE_PATH, driftRoutes } from "./drift/compare/routes.ts";
import { monitorRoutes } from "./drift/monitors/routes.ts";
import { githubRoutes } from "./github/routes.ts";
import { docsRoutes } from "./http/docs.ts";
import { createRouter } from "./http/env.ts";
import { ApiError, asApiError, errorBody } from "./http/errors.ts";
import { decompress } from "./http/middleware/decompress.ts";
import { inputGuard } from "./http/middleware/input-guard.ts";
import { ErrorResponses } from "./http/openapi.ts";
import { incidentRoutes } from "./incidents/routes.ts";
import { registerJobMetrics } from "./jobs/metrics.ts";
import { withTimeout } from "./lib/timeout.ts";
import { notificationRoutes } from "./notifications/routes.ts";
import { predictionRoutes } from "./predictions/routes.ts";
import { ragIncidentEnricher } from "./rag/incidents.ts";
import { ragRoutes } from "./rag/routes.ts";
import { retrainingIncidentContext } from "./retraining/incident-context.ts";
import { RESULT_PATH, retrainingRoutes } from "./retraining/routes.ts";
import { schemaRoutes } from "./schemas/routes.ts";
import { createMetrics, type Metrics } from "./telemetry/metrics.ts";
import { exceptionIncidentContext } from "./traces/enrich.ts";
import { createOtlpMetrics } from "./traces/metrics.ts";
import { otlpResponses } from "./traces/otlp/error-responses.ts";
import { traceRoutes } from "./traces/routes.ts";
import type { SpanWriter } from "./traces/store/writer.ts";
import { uiRoutes } from "./ui/routes.tsx";
import { VERSION } from "./version.ts";

/** Builds the whole HTTP app: request ids, logs, metrics, limits, auth, errors, OpenAPI, capabilities. */
export function buildApp(deps: AppDeps, options: { spanWriter: SpanWriter; metrics?: Metrics }) {
  const { config, database, log } = deps;
  const metrics = options.metrics ?? createMetrics();
  const app = createRouter();

  app.use(requestId());
  // Browsers get the usual protections; API clients ignore them. Scripts come from Vigil only
  // (/docs loads its init script as a file); the pages' own styles are inline.
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
    }),
  );
  app.use(async (c, next) => {
    const started = performance.now();
    c.set("log", log.child({ reqId: c.get("requestId") }));
    await next();
    c.get("log").info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: +(performance.now() - started).toFixed(1),
      },
      "request",
    );
  });
  app.use(metrics.middleware);
  // Vigil's own request spans, only when the OTel SDK was configured (src/telemetry/otel.ts).
  if (otelEnabled(config)) app.use(httpInstrumentationMiddleware({ serviceName: config.OTEL_SERVICE_NAME }));
  // OTLP error bodies (google.rpc.Status) for every error of /v1/traces, the 413 and 401 below too.
  const otlpMetrics = createOtlpMetrics(metrics.registry);
  // Counted in the database at scrape time: every instance agrees, workers included.
  registerDatabaseMetrics(metrics.registry, database, config.VIGIL_READY_TIMEOUT * 1000);
  registerJobMetrics(metrics.registry, database);
  app.use("/v1/traces", otlpResponses(otlpMetrics));
  const globalBodyLimit = bodyLimit({
    maxSize: config.VIGIL_BODY_LIMIT,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `Request body exceeds ${config.VIGIL_BODY_LIMIT} bytes`);
    },
  });
  // Drift compare streams large uploads under its own VIGIL_UPLOAD_LIMIT (src/drift/compare/routes.ts).
  app.use((c, next) => (c.req.path === DRIFT_COMPARE_PATH ? next() : globalBodyLimit(c, next)));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await withTimeout(database.ping(), config.VIGIL_READY_TIMEOUT * 1000, "database ping");
      return c.json({ status: "ready", database: database.kind });
    } catch (error) {
      // The reason goes to the log: the body of an unauthenticated route names no host or error.
      c.get("log").warn({ err: error }, "readiness check failed");
      c.header("Retry-After", "5");
      return c.json(errorBody("database_unavailable", "The database does not answer"), 503);
    }
  });
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  app.route("/", docsRoutes());
  // The web UI reads and changes data through this app's own API, in process, with the signed-in key.
  app.route(
    "/",
    uiRoutes(VERSION, (path, init) => app.request(path, init)),
  );

  const keys = new KeyCache();
  void onKeyRevoked(database, () => keys.clear(), log);
  const apiKeyAuth = requireApiKey(database, keys);
  // A retraining result authenticates itself: the run's OIDC token, or an API key (retraining/routes.ts).
  app.use("/api/*", (c, next) => (RESULT_PATH.test(c.req.path) ? next() : apiKeyAuth(c, next)));
  app.use("/v1/*", requireApiKey(database, keys));
  // Gzip request bodies inflated under the body limit (drift compare has its own upload limit),
  // then the text every API route accepts, decided once (src/http/middleware/input-guard.ts).
  const inflate = decompress({ limit: config.VIGIL_BODY_LIMIT });
  app.use("/api/*", (c, next) => (c.req.path === DRIFT_COMPARE_PATH ? next() : inflate(c, next)));
  app.use("/api/*", inputGuard());

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/whoami",
      summary: "The project the API key belongs to",
      tags: ["auth"],
      responses: {
        200: {
          description: "The authenticated project",
          content: {
            "application/json": {
              schema: z.object({ project: z.object({ id: z.string(), name: z.string() }) }),
            },
          },
        },
        401: ErrorResponses[401],
      },
    }),
    (c) => c.json({ project: c.get("project") }, 200),
  );

  // Capabilities.
  app.route(
    "/",
    incidentRoutes(deps, {
      exception: exceptionIncidentContext,
      // A drift incident lists the retraining runs that answer it.
      drift: retrainingIncidentContext,
      all: ragIncidentEnricher(config),
    }),
  );
  app.route("/", alertRoutes(deps));
  app.route("/", notificationRoutes(deps));
  app.route("/", traceRoutes(deps, options.spanWriter, otlpMetrics));
  app.route("/", schemaRoutes(deps));
  app.route("/", predictionRoutes(deps));
  app.route("/", driftRoutes(deps));
  app.route("/", monitorRoutes(deps));
  app.route("/", ragRoutes(deps));
  app.route("/", githubRoutes(deps));
  app.route("/", retrainingRoutes(deps, { apiKeyAuth }));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Vigil", version: VERSION, description: "Observability and data quality for ML systems" },
    security: [{ bearerAuth: [] }],
  });

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((thrown, c) => {
    const error = asApiError(thrown);
    if (error instanceof ApiError) {
      if (error.retryAfter !== undefined) c.header("Retry-After", String(error.retryAfter));
      return c.json(errorBody(error.code, error.message, error.details), error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 413 ? "payload_too_large" : status < 500 ? "bad_request" : "internal";
      return c.json(errorBody(code, error.message || "Request failed"), status);
    }
    const refused = inputRefusedByDatabase(error);
    if (refused) {
      // A value no schema bounded reached the database: still the client's input, so a 400; the
      // warning says which check at the edge is missing.
      (c.get("log") ?? log).warn(
        { code: refused.code, path: c.req.path },
        "database refused a request's value",
      );
      return c.json(
        errorBody("unstorable_input", `The request holds a value Vigil cannot store: ${refused.message}`),
        400,
      );
    }
    if (isDatabaseUnavailable(error)) {
      c.header("Retry-After", "5");
      return c.json(errorBody("database_unavailable", "The database is unavailable; retry later"), 503);
    }
    (c.get("log") ?? log).error({ err: error }, "unhandled error");
    return c.json(errorBody("internal", "Internal server error"), 500);
  });

  return app;
}

export type App = ReturnType<typeof buildApp>;
