import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { buildApp } from "../../src/app.ts";
import { createApiKey } from "../../src/auth/store.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { AppDeps } from "../../src/deps.ts";
import { Jobs } from "../../src/jobs/queue.ts";
import { createSpanWriter, type SpanWriter } from "../../src/traces/store/writer.ts";
import { defineJobs } from "../../src/workers.ts";
import type { DbContext } from "./db.ts";

export interface AppContext {
  app: ReturnType<typeof buildApp>;
  deps: AppDeps;
  /** The span writer the app's OTLP receiver queues for. */
  spanWriter: SpanWriter;
  key: string;
  projectId: string;
  /** app.request with the suite's API key. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** JSON POST with the suite's API key. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Resolves once every accepted OTLP batch is written to the span store (they are queued: src/traces/store/writer.ts). */
  spansWritten(): Promise<void>;
}

/**
 * The whole HTTP app on the suite's database, a project with a key, and (optionally) running jobs.
 * Requests go through app.request: the real middleware stack without a socket.
 */
export function useApp(
  db: DbContext,
  options: { env?: Record<string, string>; jobs?: boolean; project?: string } = {},
): AppContext {
  const ctx = {} as AppContext;
  let jobs: Jobs | undefined;
  let spanWriter: SpanWriter | undefined;
  beforeAll(async () => {
    const config: Config = loadConfig({ LOG_LEVEL: "silent", ...options.env });
    const log = pino({ level: "silent" });
    jobs = Jobs.create(db.database, { log, runWorkers: options.jobs ?? false, url: db.url });
    spanWriter = createSpanWriter(db.database, log, config);
    const deps: AppDeps = { config, database: db.database, log, jobs };
    defineJobs(deps);
    if (options.jobs) await jobs.start();
    spanWriter.start();
    const created = await createApiKey(db.database.db, options.project ?? "test");
    ctx.deps = deps;
    ctx.spanWriter = spanWriter;
    ctx.key = created.key;
    ctx.projectId = created.projectId;
    ctx.app = buildApp(deps, { spanWriter });
    ctx.request = async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${ctx.key}`);
      return ctx.app.request(path, { ...init, headers });
    };
    ctx.spansWritten = () => spanWriter!.idle();
    ctx.post = (path, body, headers = {}) =>
      ctx.request(path, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json", ...headers },
      });
  });
  afterAll(async () => {
    await spanWriter?.stop();
    await jobs?.stop(2000);
  });
  return ctx;
}

/**
 * The suite's app on a real loopback socket, for CLI commands (HTTP clients) run against it:
 * `env` holds VIGIL_URL and the suite's key, filled in once the socket listens.
 */
export function useServedApp(t: AppContext): { env: NodeJS.ProcessEnv } {
  const served = { env: {} as NodeJS.ProcessEnv };
  let server: ReturnType<typeof serve>;
  beforeAll(async () => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as AddressInfo;
    served.env = {
      ...process.env,
      VIGIL_URL: `http://127.0.0.1:${port}`,
      VIGIL_API_KEY: t.key,
      NO_COLOR: "1",
    };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return served;
}
