import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Byte sizes: "16777216", "16mb", "512kb". */
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|kib|mb|mib|gb|gib)?$/i, "expected a size such as 16mb or 1048576")
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim())!;
    const unit = (m[2] ?? "").toLowerCase();
    const mult = unit.startsWith("g")
      ? 1024 ** 3
      : unit.startsWith("m")
        ? 1024 ** 2
        : unit.startsWith("k")
          ? 1024
          : 1;
    return Math.floor(Number(m[1]) * mult);
  });

const port = z
  .string()
  .regex(/^\d+$/, "expected a port number (0-65535)")
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(0, "expected a port number (0-65535)")
      .max(65535, "expected a port number (0-65535)"),
  );

/** A retention period in whole days; 0 keeps forever. */
const keepDays = z
  .string()
  .regex(/^\d+$/, "expected a whole number of days (0 = keep forever)")
  .transform(Number);

const seconds = z.string().regex(/^\d+$/, "expected whole seconds").transform(Number);

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
  .pipe(z.url({ message: "expected a postgres:// URL" }));

/** Every environment variable Vigil reads, in one place. Unset and empty mean "default". */
export const envSchema = z
  .object({
    PORT: port.default(8080),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: postgresUrl.optional(),
    VIGIL_DATA_DIR: z.string().min(1).default(".vigil/data"),
    VIGIL_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    VIGIL_BODY_LIMIT: bytes.default(16 * 1024 * 1024),
    /** POST /api/v1/drift/compare only: streamed dataset uploads (the global body limit skips that path). */
    VIGIL_UPLOAD_LIMIT: bytes.default(512 * 1024 * 1024),
    /** Run background jobs inside `vigil serve` (always true on the embedded database). */
    VIGIL_RUN_JOBS: bool.default(true),
    /** Seconds to wait for in-flight requests and jobs on shutdown. */
    VIGIL_SHUTDOWN_TIMEOUT: z.string().regex(/^\d+$/, "expected whole seconds").transform(Number).default(20),
    /** Days of spans kept; older day partitions are dropped by the traces.retention job. */
    VIGIL_SPAN_RETENTION_DAYS: z
      .string()
      .regex(/^[1-9]\d*$/, "expected a whole number of days")
      .transform(Number)
      .default(7),
    /** Days of prediction logs (and unmatched labels) kept; 0 keeps them forever. Daily job, in batches. */
    VIGIL_PREDICTION_RETENTION_DAYS: keepDays.default(30),
    /** Days of raw alert webhook payloads kept (incidents stay); 0 keeps them forever. */
    VIGIL_ALERT_PAYLOAD_RETENTION_DAYS: keepDays.default(30),
    /**
     * Seconds within which a byte-identical Alertmanager/Grafana body is the sender retrying a
     * delivery (answered `duplicate`, nothing applied); after it, the same body is a repeat
     * notification of a still-firing alert. Both senders retry one notification with exponential
     * backoff only until its context deadline, max(group_interval, 10s) plus the HA peer wait
     * (alertmanager notify/retry_stage.go, app.go timeoutFunc; grafana/alerting
     * notify/grafana_alertmanager.go timeoutFunc): 300 covers the default group_interval of 5m, and
     * stays far below the default repeat_interval of 4h. 0: every delivery counts.
     */
    VIGIL_ALERT_RETRY_WINDOW_SECONDS: z
      .string()
      .regex(/^\d+$/, "expected whole seconds (0: every delivery counts)")
      .transform(Number)
      .default(300),
    /** OTLP: spans accepted but not yet written to the span store past which /v1/traces answers 429. */
    VIGIL_OTLP_QUEUE_SPANS: z
      .string()
      .regex(/^[1-9]\d*$/, "expected a whole number")
      .transform(Number)
      .default(100_000),
    /**
     * OTLP: concurrent transactions writing queued batches to the span store (PostgreSQL; PGlite uses
     * 1). Each keeps a database core busy while there is a backlog: one leaves the others to the
     * exports being accepted (bench/README.md); more raise throughput where the database has cores to spare.
     */
    VIGIL_OTLP_WRITERS: z
      .string()
      .regex(/^[1-9]\d*$/, "expected a whole number")
      .transform(Number)
      .default(1),
    /** OTLP: threads that decode and prepare export requests off the event loop (0: on it). */
    VIGIL_OTLP_THREADS: z.string().regex(/^\d+$/, "expected a whole number").transform(Number).default(2),
    VIGIL_DB_POOL_SIZE: z.string().regex(/^\d+$/, "expected a whole number").transform(Number).default(10),
    /**
     * Server database: PostgreSQL cancels a statement of Vigil's that runs longer (seconds; 0: no
     * limit), so a runaway query frees its connection instead of holding it for good.
     */
    VIGIL_DB_STATEMENT_TIMEOUT: seconds.default(60),
    /** Server database: seconds to wait for a new connection before the attempt fails. */
    VIGIL_DB_CONNECT_TIMEOUT: seconds.default(10),
    /** /readyz answers 503 when the database has not answered a ping within this many seconds. */
    VIGIL_READY_TIMEOUT: seconds.default(2),
    /**
     * PostgreSQL's backend_flush_after for Vigil's connections (src/db/client.ts); "0" leaves the
     * server's setting alone (and sends no startup parameter, for poolers that refuse them).
     */
    VIGIL_DB_BACKEND_FLUSH_AFTER: z
      .string()
      .regex(
        /^\d+\s*(kB|MB)?$/,
        "expected a size PostgreSQL understands, such as 256kB (0: the server's setting)",
      )
      .default("256kB"),
    /** RAG: an OpenAI-compatible /v1/embeddings endpoint (unset → the built-in embedder). */
    VIGIL_EMBEDDINGS_URL: z.url({ message: "expected a URL" }).optional(),
    VIGIL_EMBEDDINGS_MODEL: z.string().min(1).optional(),
    VIGIL_EMBEDDINGS_API_KEY: z.string().optional(),
    /** Days the vectors of an embedder no longer used are kept (a switch back is free); 0 keeps them forever. */
    VIGIL_EMBEDDINGS_KEEP_DAYS: keepDays.default(30),
    /** RAG: an OpenAI-compatible chat endpoint for generated answers (unset → extractive answers). */
    VIGIL_LLM_URL: z.url({ message: "expected a URL" }).optional(),
    VIGIL_LLM_MODEL: z.string().min(1).optional(),
    VIGIL_LLM_API_KEY: z.string().optional(),
    VIGIL_ALLOW_PRIVATE_WEBHOOKS: bool.default(false),
    /** Where users reach this Vigil, for links in notifications (unset → http://localhost:PORT). */
    VIGIL_PUBLIC_URL: z.url({ message: "expected a URL" }).optional(),
    /**
     * The GitHub App (src/github/): its id, private key (PEM text, `\n` escapes accepted, or a file)
     * and webhook secret — all of them or none. None: the App made by the manifest flow
     * (GET /github/setup), if any; else the GitHub routes say what to set.
     */
    GITHUB_APP_ID: z
      .string()
      .regex(/^[1-9]\d*$/, "expected the App's numeric id")
      .optional(),
    GITHUB_PRIVATE_KEY: z.string().optional(),
    GITHUB_PRIVATE_KEY_PATH: z.string().min(1).optional(),
    GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** GitHub's REST API: https://HOST/api/v3 on GitHub Enterprise Server. */
    GITHUB_API_URL: z.url({ message: "expected a URL" }).default("https://api.github.com"),
    /** GitHub's web address (App creation, install links); unset → derived from GITHUB_API_URL. */
    GITHUB_URL: z.url({ message: "expected a URL" }).optional(),
    /**
     * Encrypts what Vigil stores that must stay secret (the App credentials of the manifest flow) and
     * signs the GitHub install flow's state.
     */
    VIGIL_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
    /**
     * Retraining (src/retraining/): a dispatched run Vigil has heard nothing of (no webhook, no poll)
     * for this many minutes is polled on GitHub, so a lost webhook does not leave it in progress.
     */
    VIGIL_RETRAIN_STALE_MINUTES: z
      .string()
      .regex(/^[1-9]\d{0,4}$/, "expected whole minutes (1-99999)")
      .transform(Number)
      .default(30),
    /**
     * The OpenID Connect issuer whose tokens prove a retraining result comes from the run Vigil
     * dispatched: GitHub Actions' (default), https://HOST/_services/token on Enterprise Server.
     */
    VIGIL_RETRAIN_OIDC_ISSUER: z
      .url({ message: "expected a URL" })
      .default("https://token.actions.githubusercontent.com"),
    OTEL_SDK_DISABLED: bool.default(false),
    OTEL_SERVICE_NAME: z.string().default("vigil"),
    OTEL_TRACES_EXPORTER: z.string().optional(),
    OTEL_METRICS_EXPORTER: z.string().optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: "expected a URL" }).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ message: "expected a URL" }).optional(),
  })
  .superRefine(checkGitHubApp);

export type Config = z.output<typeof envSchema>;

/** A private key given inline may carry `\n` escapes (one-line environment files, CI secrets). */
export const unescapePem = (pem: string) => pem.replace(/\\n/g, "\n").trim();

/** The GitHub App variables go together, and the key must be a private key Node can read. */
function checkGitHubApp(
  env: {
    GITHUB_APP_ID?: string;
    GITHUB_PRIVATE_KEY?: string;
    GITHUB_PRIVATE_KEY_PATH?: string;
    GITHUB_WEBHOOK_SECRET?: string;
  },
  ctx: z.RefinementCtx,
): void {
  const given = [
    env.GITHUB_APP_ID,
    env.GITHUB_PRIVATE_KEY,
    env.GITHUB_PRIVATE_KEY_PATH,
    env.GITHUB_WEBHOOK_SECRET,
  ].some((v) => v !== undefined);
  if (!given) return;
  const issue = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
  if (env.GITHUB_APP_ID === undefined)
    issue("GITHUB_APP_ID", "required with the other GITHUB_* App variables");
  if (env.GITHUB_WEBHOOK_SECRET === undefined)
    issue("GITHUB_WEBHOOK_SECRET", "required with the other GITHUB_* App variables");
  if (env.GITHUB_PRIVATE_KEY !== undefined && env.GITHUB_PRIVATE_KEY_PATH !== undefined) {
    issue("GITHUB_PRIVATE_KEY", "set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH, not both");
    return;
  }
  const key = env.GITHUB_PRIVATE_KEY_PATH !== undefined ? "GITHUB_PRIVATE_KEY_PATH" : "GITHUB_PRIVATE_KEY";
  let pem = env.GITHUB_PRIVATE_KEY;
  if (env.GITHUB_PRIVATE_KEY_PATH !== undefined) {
    try {
      pem = readFileSync(env.GITHUB_PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      issue(key, `cannot read the key file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      return;
    }
  }
  if (pem === undefined) {
    issue(key, "required (or GITHUB_PRIVATE_KEY_PATH)");
    return;
  }
  try {
    createPrivateKey(unescapePem(pem));
  } catch {
    issue(key, "not a PEM private key (the .pem file GitHub generates for the App)");
  }
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the environment once. Throws a ConfigError whose message is one line naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = envSchema.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const shown = key && key in picked && !/KEY|URL|SECRET/.test(key) ? ` (got "${picked[key]}")` : "";
    return `${key}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
}

/** True when Vigil's own traces should be exported (standard OTEL_* env, off by default). */
export function otelEnabled(config: Config): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  const exporter = config.OTEL_TRACES_EXPORTER;
  if (exporter && exporter !== "none") return true;
  return Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}
