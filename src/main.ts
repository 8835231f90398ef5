import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Logger } from "pino";
import { type App, buildApp } from "./app.ts";
import { bootstrapAuth } from "./auth/store.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import { openAndMigrate } from "./db/open.ts";
import { withStartupLock } from "./db/startup-lock.ts";
import type { AppDeps } from "./deps.ts";
import { Jobs } from "./jobs/queue.ts";
import { startTelemetry } from "./telemetry/otel.ts";
import { createSpanWriter, type SpanWriter } from "./traces/store/writer.ts";
import { defineJobs } from "./workers.ts";

export interface Service {
  app: App;
  deps: AppDeps;
  /** The queue itself (deps.jobs is its interface): stopped by shutdown. */
  jobs: Jobs;
  /** Writes accepted OTLP batches to the span store in the background. */
  spanWriter: SpanWriter;
  server: ServerType;
  port: number;
  /** Set when this start created the first API key: shown once, never stored. */
  createdKey?: string;
  /** Stop accepting, finish in-flight requests and jobs, close the database. Idempotent. */
  shutdown(): Promise<void>;
}

/** config → telemetry → db → migrate → auth bootstrap → jobs → http. */
export async function startService(
  config: Config,
  log: Logger,
  options: { database?: Database; beforeListen?: (app: App) => void } = {},
): Promise<Service> {
  const telemetry = await startTelemetry(config);
  const database = options.database ?? (await openAndMigrate(config));
  // The embedded database lives in this process, so its jobs must run here too.
  const runWorkers = config.VIGIL_RUN_JOBS || database.kind === "pglite";
  const jobs = Jobs.create(database, { log, runWorkers, url: config.DATABASE_URL });
  const spanWriter = createSpanWriter(database, log, config);
  const deps: AppDeps = { config, database, log, jobs };
  defineJobs(deps);
  // Several instances may start at once: their start-up writes take turns.
  const { createdKey } = await withStartupLock(database, async () => {
    const bootstrapped = await bootstrapAuth(database.db, config.VIGIL_API_KEY);
    await jobs.start();
    return bootstrapped;
  });
  spanWriter.start();

  const app = buildApp(deps, { spanWriter });
  options.beforeListen?.(app);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
    // Node closes idle keep-alive sockets after 5 s, the same moment clients (undici: 4 s, SDK
    // exporters, proxies) may reuse one: the request then dies with "other side closed". Idle
    // sockets live longer than any client keeps them; shutdown closes them explicitly anyway.
    if ("keepAliveTimeout" in s) {
      s.keepAliveTimeout = 65_000;
      s.headersTimeout = 66_000;
    }
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, database: database.kind, workers: runWorkers }, "vigil listening");

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      log.info("shutting down: draining requests");
      const timeoutMs = config.VIGIL_SHUTDOWN_TIMEOUT * 1000;
      await closeServer(server, timeoutMs);
      log.info("shutting down: finishing span writes, stopping jobs");
      await spanWriter.stop(timeoutMs);
      await jobs.stop(timeoutMs);
      await database.close();
      await telemetry.shutdown();
      log.info("stopped");
    })();
    return stopping;
  };
  return { app, deps, jobs, spanWriter, server, port, createdKey, shutdown };
}

/** Stops accepting connections and resolves when in-flight requests are done (or the timeout passes). */
function closeServer(server: ServerType, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const closeIdle = () => {
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    };
    // A connection busy now turns idle once its response is sent, and keep-alive (65 s) would then
    // hold it — and this shutdown — open until the timeout: close connections as they turn idle.
    const idle = setInterval(closeIdle, 100);
    const timer = setTimeout(() => {
      clearInterval(idle);
      if ("closeAllConnections" in server) server.closeAllConnections();
      resolve();
    }, timeoutMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve();
    });
    closeIdle();
  });
}
