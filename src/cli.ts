import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { createApiKey, listApiKeys, revokeApiKey } from "./auth/store.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { openAndMigrate } from "./db/open.ts";
import { withStartupLock } from "./db/startup-lock.ts";
import { registerDemoCommand } from "./demo/cli.ts";
import { registerDriftCommands } from "./drift/compare/cli.ts";
import { registerGitHubCommands } from "./github/cli.ts";
import { Jobs } from "./jobs/queue.ts";
import { startService } from "./main.ts";
import { registerRagCommands } from "./rag/cli.ts";
import { registerRetrainingCommands } from "./retraining/cli.ts";
import { registerSchemaCommands } from "./schemas/cli.ts";
import { registerLineageCommands } from "./schemas/cli-remote.ts";
import { createLogger } from "./telemetry/logger.ts";
import { registerTraceCommands } from "./traces/cli.ts";
import { createSpanWriter } from "./traces/store/writer.ts";
import { defineJobs } from "./workers.ts";

const program = new Command()
  .name("vigil")
  .description("Vigil: observability and data quality for ML systems")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

function config(overrides: Partial<Record<string, string>> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}

program
  .command("serve")
  .description("Run the HTTP service (and background jobs), migrating the database first")
  .addOption(new Option("-p, --port <port>", "port to listen on").env("PORT"))
  .action(async (opts: { port?: string }) => {
    const cfg = config(opts.port ? { PORT: opts.port } : {});
    const log = createLogger(cfg.LOG_LEVEL);
    const service = await startService(cfg, log);
    if (service.createdKey) printKeyOnce(service.createdKey, "default");
    const where = cfg.DATABASE_URL ? "Postgres (DATABASE_URL)" : `embedded Postgres in ${cfg.VIGIL_DATA_DIR}`;
    console.error(`Vigil is up on http://localhost:${service.port} — ${where}. API docs: /docs`);
    onSignals(service.shutdown);
  });

program
  .command("worker")
  .description(
    "Run background jobs only (needs DATABASE_URL: the embedded database lives inside `vigil serve`)",
  )
  .action(async () => {
    const cfg = config();
    if (!cfg.DATABASE_URL) {
      fail(
        "`vigil worker` needs DATABASE_URL; with the embedded database, `vigil serve` runs the jobs itself.",
      );
    }
    const log = createLogger(cfg.LOG_LEVEL);
    const database = await openAndMigrate(cfg);
    const jobs = Jobs.create(database, { log, runWorkers: true, url: cfg.DATABASE_URL });
    // Workers write queued OTLP batches too: span writes scale out with them.
    const spanWriter = createSpanWriter(database, log, cfg);
    defineJobs({ config: cfg, database, log, jobs });
    await withStartupLock(database, () => jobs.start());
    spanWriter.start();
    log.info("vigil worker running");
    onSignals(async () => {
      const timeoutMs = cfg.VIGIL_SHUTDOWN_TIMEOUT * 1000;
      await spanWriter.stop(timeoutMs);
      await jobs.stop(timeoutMs);
      await database.close();
    });
  });

program
  .command("migrate")
  .description("Apply pending database migrations and exit")
  .action(async () => {
    const database = await openAndMigrate(config());
    await database.close();
    console.log(`migrations applied (${database.kind})`);
  });

const keys = program.command("keys").description("Manage API keys");
keys
  .command("create")
  .description("Create an API key (and the project, if new); the key is printed once")
  .requiredOption("--project <name>", "project name")
  .option("--name <name>", "a label for the key", "cli")
  .action(async (opts: { project: string; name: string }) => {
    await withDatabase(async (database) => {
      const created = await createApiKey(database.db, opts.project, { name: opts.name });
      printKeyOnce(created.key, opts.project);
    });
  });
keys
  .command("list")
  .description("List API keys (prefixes only)")
  .option("--project <name>", "only this project")
  .option("--json", "print JSON")
  .action(async (opts: { project?: string; json?: boolean }) => {
    await withDatabase(async (database) => {
      const rows = await listApiKeys(database.db, opts.project);
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      if (!rows.length) return console.log("no keys");
      console.table(
        rows.map((r) => ({
          id: r.id,
          project: r.project,
          name: r.name,
          prefix: r.prefix,
          created: r.createdAt.toISOString(),
          revoked: r.revokedAt ? r.revokedAt.toISOString() : "",
        })),
      );
    });
  });
keys
  .command("revoke")
  .description("Revoke a key by id or by its prefix")
  .argument("<id-or-prefix>")
  .action(async (idOrPrefix: string) => {
    await withDatabase(async (database) => {
      const n = await revokeApiKey(database.db, idOrPrefix);
      if (!n) fail(`no active key matches ${idOrPrefix}`);
      console.log(`revoked ${n} key${n === 1 ? "" : "s"}`);
    });
  });

async function withDatabase(fn: (database: Awaited<ReturnType<typeof openAndMigrate>>) => Promise<void>) {
  const database = await openAndMigrate(config());
  try {
    await fn(database);
  } finally {
    await database.close();
  }
}

function printKeyOnce(key: string, project: string) {
  console.log(
    [
      "",
      `API key for project "${project}" (shown once, store it now):`,
      "",
      `  ${key}`,
      "",
      `  curl -H "Authorization: Bearer ${key}" http://localhost:${process.env.PORT || 8080}/api/v1/whoami`,
      "",
    ].join("\n"),
  );
}

function onSignals(stop: () => Promise<void>) {
  let count = 0;
  const handler = (signal: string) => {
    if (++count > 1) process.exit(1); // second Ctrl-C: give up waiting
    console.error(`${signal}: shutting down gracefully (again to force)`);
    stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

function fail(message: string): never {
  console.error(`vigil: ${message}`);
  process.exit(1);
}

registerSchemaCommands(program);
registerLineageCommands(program);
registerDriftCommands(program);
registerTraceCommands(program);
registerRagCommands(program);
registerGitHubCommands(program);
registerRetrainingCommands(program);
registerDemoCommand(program, startDemoVigil, onSignals);

/** `vigil demo`'s own Vigil: a fresh embedded database in a temp dir, on loopback, its first key. */
async function startDemoVigil(opts: { port: string }) {
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-demo-"));
  // A fresh embedded database whatever the environment points at.
  const { DATABASE_URL: _url, VIGIL_API_KEY: _key, ...env } = process.env;
  const cfg = loadConfig({
    ...env,
    VIGIL_DATA_DIR: dataDir,
    PORT: opts.port,
    HOST: "127.0.0.1",
    LOG_LEVEL: env.LOG_LEVEL ?? "warn",
  });
  // Logs go to stderr with the progress: stdout carries the URL and key (or --json).
  const log = createLogger(cfg.LOG_LEVEL, process.stderr);
  const service = await startService(cfg, log).catch((error) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  if (!service.createdKey) throw new Error("the demo database was not fresh: no key was created");
  return {
    url: `http://127.0.0.1:${service.port}`,
    key: service.createdKey,
    dataDir,
    stop: async () => {
      await service.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Bad configuration and startup failures: one clear line, no stack trace.
  if (error instanceof ConfigError) fail(error.message);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  fail(code && !message.includes(code) ? `${message} (${code})` : message);
}
