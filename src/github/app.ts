/**
 * Vigil as a GitHub App: the one place that builds the App (`@octokit/app`) and its Octokit
 * (REST with pagination, retries and GitHub's recommended throttling). Credentials come from the
 * GITHUB_* variables, else from the App the manifest flow created (stored sealed, secrets.ts).
 * Other capabilities (the retraining loop) reach GitHub through `gitHubFor(deps)`.
 */

import { readFileSync } from "node:fs";
import { App } from "@octokit/app";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit as OctokitCore } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Webhooks } from "@octokit/webhooks";
import type { Logger } from "pino";
import { type Config, unescapePem } from "../config.ts";
import type { Database } from "../db/client.ts";
import { DomainError } from "../lib/errors.ts";
import { VERSION } from "../version.ts";
import { openSecrets } from "./secrets.ts";
import { storedAppCredentials } from "./store.ts";

export const GitHubOctokit = OctokitCore.plugin(paginateRest, retry, throttling);
export type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

/** What an App is built from. */
export interface AppCredentials {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** Known for an App the manifest flow created; fetched from GET /app otherwise. */
  htmlUrl?: string;
  slug?: string;
}

export interface GitHubEndpoints {
  /** REST API base, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
  /** Web base, e.g. https://github.com. */
  webUrl: string;
}

/** github.com's web address for its API; on Enterprise Server the host without /api/v3. */
export function endpoints(config: Pick<Config, "GITHUB_API_URL" | "GITHUB_URL">): GitHubEndpoints {
  const apiUrl = config.GITHUB_API_URL.replace(/\/+$/, "");
  if (config.GITHUB_URL) return { apiUrl, webUrl: config.GITHUB_URL.replace(/\/+$/, "") };
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return { apiUrl, webUrl: "https://github.com" };
  if (url.hostname.startsWith("api.") && url.hostname.endsWith(".ghe.com"))
    return { apiUrl, webUrl: `${url.protocol}//${url.hostname.slice(4)}` };
  url.pathname = url.pathname.replace(/\/api\/v3\/?$/, "");
  return { apiUrl, webUrl: url.toString().replace(/\/+$/, "") };
}

/** Retries after GitHub's rate limits at most this often, and only for waits this short (seconds). */
const RATE_LIMIT_RETRIES = 2;
const MAX_RATE_LIMIT_WAIT = 60;

/**
 * Octokit options for `log`: throttling as GitHub recommends for integrators (writes one at a time
 * and a second apart per `throttleId`), waits for rate limits that end soon, retries 5xx answers.
 */
export function octokitOptions(apiUrl: string, log: Logger, throttleId = "app") {
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const retrying = retryCount < RATE_LIMIT_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT;
      log.warn({ method: options.method, url: options.url, retryAfter, retrying }, `GitHub ${kind}`);
      return retrying;
    };
  return {
    baseUrl: apiUrl,
    userAgent: `vigil/${VERSION}`,
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
    throttle: {
      id: throttleId,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
    },
  };
}

/** The App for these credentials, its Octokit talking to `apiUrl`. */
export function githubApp(credentials: AppCredentials, options: { apiUrl: string; log: Logger }) {
  return new App({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    webhooks: { secret: credentials.webhookSecret },
    Octokit: GitHubOctokit.defaults(octokitOptions(options.apiUrl, options.log)),
  });
}
export type GitHubApp = ReturnType<typeof githubApp>;

/** Where the App's credentials came from. */
export type CredentialSource = "env" | "manifest";

export interface ResolvedApp {
  source: CredentialSource;
  credentials: AppCredentials;
  app: GitHubApp;
  webhooks: Webhooks;
}

export const NOT_CONFIGURED_MESSAGE =
  "Vigil is not a GitHub App yet: set GITHUB_APP_ID, GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH) " +
  "and GITHUB_WEBHOOK_SECRET (and GITHUB_API_URL for GitHub Enterprise Server), or create the App " +
  "with GET /github/setup (needs VIGIL_SECRET_KEY)";

export const notConfigured = () =>
  new DomainError("unavailable", "github_not_configured", NOT_CONFIGURED_MESSAGE);

/** The App's credentials from the environment, when the GITHUB_* variables are set. */
export function credentialsFromEnv(config: Config): AppCredentials | undefined {
  if (!config.GITHUB_APP_ID || !config.GITHUB_WEBHOOK_SECRET) return undefined;
  const pem = config.GITHUB_PRIVATE_KEY_PATH
    ? readFileSync(config.GITHUB_PRIVATE_KEY_PATH, "utf8")
    : config.GITHUB_PRIVATE_KEY;
  if (!pem) return undefined;
  return {
    appId: Number(config.GITHUB_APP_ID),
    privateKey: unescapePem(pem),
    webhookSecret: config.GITHUB_WEBHOOK_SECRET,
  };
}

/**
 * The App of one Vigil process: built once from the environment or the stored credentials, and
 * Octokits for its installations. An unconfigured App is looked up again on every use (the
 * manifest flow may have stored one since, in any process); a configured one is kept.
 */
export class GitHub {
  private resolved?: ResolvedApp;
  private htmlUrl?: string;
  readonly endpoints: GitHubEndpoints;

  constructor(private readonly deps: { config: Config; database: Database; log: Logger }) {
    this.endpoints = endpoints(deps.config);
  }

  /** The App, or undefined when none is configured. */
  async resolve(): Promise<ResolvedApp | undefined> {
    if (this.resolved) return this.resolved;
    const { config, database, log } = this.deps;
    let source: CredentialSource = "env";
    let credentials = credentialsFromEnv(config);
    if (!credentials) {
      const stored = await storedAppCredentials(database.db);
      if (!stored) return undefined;
      if (!config.VIGIL_SECRET_KEY)
        throw new DomainError(
          "unavailable",
          "github_secret_key_missing",
          "The GitHub App created by the manifest flow is stored sealed: set VIGIL_SECRET_KEY to the key it was created with",
        );
      const secrets = openSecrets(stored.sealedSecrets, config.VIGIL_SECRET_KEY);
      source = "manifest";
      credentials = {
        appId: stored.appId,
        privateKey: secrets.pem,
        webhookSecret: secrets.webhookSecret,
        htmlUrl: stored.htmlUrl,
        slug: stored.slug,
      };
    }
    this.resolved = {
      source,
      credentials,
      app: githubApp(credentials, { apiUrl: this.endpoints.apiUrl, log }),
      webhooks: new Webhooks({ secret: credentials.webhookSecret }),
    };
    return this.resolved;
  }

  /** The App; a 503 DomainError saying what to set when there is none. */
  async require(): Promise<ResolvedApp> {
    const resolved = await this.resolve();
    if (!resolved) throw notConfigured();
    return resolved;
  }

  /**
   * An Octokit authenticated as the installation (its token minted and cached by @octokit/auth-app).
   * Each installation gets its own throttle lane, as GitHub's limits are per installation.
   */
  async installationOctokit(installationId: number): Promise<GitHubOctokit> {
    const { app } = await this.require();
    const options = octokitOptions(this.endpoints.apiUrl, this.deps.log, `installation-${installationId}`);
    return app.octokit.auth({
      type: "installation",
      installationId,
      factory: (auth: Record<string, unknown> & { octokitOptions: object }) =>
        new GitHubOctokit({
          ...auth.octokitOptions,
          ...options,
          authStrategy: createAppAuth,
          auth: { ...auth, installationId },
        }),
    }) as Promise<GitHubOctokit>;
  }

  /** The App's page on GitHub (https://github.com/apps/<slug>). */
  async appHtmlUrl(): Promise<string> {
    const { app, credentials } = await this.require();
    if (credentials.htmlUrl) return credentials.htmlUrl;
    if (!this.htmlUrl) {
      const { data } = await app.octokit.request("GET /app");
      if (!data)
        throw new DomainError("unavailable", "github_unavailable", "GitHub did not describe the App");
      this.htmlUrl = data.html_url;
    }
    return this.htmlUrl;
  }

  /** Forgets the App, so the next use looks again (after the manifest flow stored one). */
  forget(): void {
    this.resolved = undefined;
    this.htmlUrl = undefined;
  }
}

const instances = new WeakMap<Config, WeakMap<Database, GitHub>>();

/** The process's GitHub App for this configuration and database: routes and jobs share its token cache. */
export function gitHubFor(deps: { config: Config; database: Database; log: Logger }): GitHub {
  let byDatabase = instances.get(deps.config);
  if (!byDatabase) {
    byDatabase = new WeakMap();
    instances.set(deps.config, byDatabase);
  }
  let github = byDatabase.get(deps.database);
  if (!github) {
    github = new GitHub(deps);
    byDatabase.set(deps.database, github);
  }
  return github;
}
