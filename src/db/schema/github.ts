import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { projects } from "./auth.ts";

/**
 * GitHub's objects are keyed by GitHub's ids and exist before any Vigil project claims them (an
 * App is installed, then linked), so these tables carry a nullable `project_id` where a project
 * applies; every API read filters by it.
 */

/**
 * The App the manifest flow created (GET /github/setup): at most one row. Its private key, webhook
 * secret and OAuth client secret are sealed with AES-256-GCM under VIGIL_SECRET_KEY
 * (src/github/secrets.ts); the rest is public on GitHub anyway.
 */
export const githubAppCredentials = pgTable(
  "github_app_credentials",
  {
    id: text("id").primaryKey().default("app"),
    appId: bigint("app_id", { mode: "number" }).notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    owner: text("owner"),
    htmlUrl: text("html_url").notNull(),
    /** The GitHub it was created on (GITHUB_API_URL then). */
    apiUrl: text("api_url").notNull(),
    clientId: text("client_id"),
    sealedSecrets: text("sealed_secrets").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("github_app_credentials_one", sql`${t.id} = 'app'`)],
);

/** An installation of the App (a user or organisation account), linked to one project or none. */
export const githubInstallations = pgTable(
  "github_installations",
  {
    id: bigint("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    accountLogin: text("account_login"),
    /** User | Organization | Enterprise */
    accountType: text("account_type"),
    /** all | selected */
    repositorySelection: text("repository_selection"),
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    linkedAt: timestamp("linked_at", { withTimezone: true }),
    /** install-flow | cli */
    linkedBy: text("linked_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("github_installations_project_idx").on(t.projectId)],
);

/** The repositories an installation can reach (installation and installation_repositories events). */
export const githubRepositories = pgTable(
  "github_repositories",
  {
    installationId: bigint("installation_id", { mode: "number" })
      .notNull()
      .references(() => githubInstallations.id, { onDelete: "cascade" }),
    repoId: bigint("repo_id", { mode: "number" }).notNull(),
    fullName: text("full_name").notNull(),
    private: boolean("private").notNull().default(false),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.installationId, t.repoId] }),
    index("github_repositories_name_idx").on(t.fullName),
  ],
);

/**
 * Every webhook delivery Vigil accepted, by GitHub's X-GitHub-Delivery: a redelivery finds its row
 * and is ignored. The payload waits here for the `github.webhook` job.
 */
export const githubWebhookDeliveries = pgTable(
  "github_webhook_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    event: text("event").notNull(),
    action: text("action"),
    installationId: bigint("installation_id", { mode: "number" }),
    payload: jsonb("payload"),
    /** queued | done | failed */
    status: text("status").notNull().default("queued"),
    error: text("error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [index("github_webhook_deliveries_received_idx").on(t.receivedAt)],
);

/** What Vigil posted as a check run: one row per run created on GitHub. */
export const githubCheckRuns = pgTable(
  "github_check_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The project the installation was linked to when the check ran; null when unlinked. */
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    installationId: bigint("installation_id", { mode: "number" }).notNull(),
    /** owner/name */
    repository: text("repository").notNull(),
    pullNumber: integer("pull_number"),
    headSha: text("head_sha").notNull(),
    name: text("name").notNull(),
    /** GitHub's id of the run, and its page. */
    checkRunId: bigint("check_run_id", { mode: "number" }),
    htmlUrl: text("html_url"),
    /** in_progress | completed */
    status: text("status").notNull(),
    conclusion: text("conclusion"),
    title: text("title"),
    summary: text("summary"),
    annotations: integer("annotations").notNull().default(0),
    deliveryId: text("delivery_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("github_check_runs_project_idx").on(t.projectId, t.createdAt),
    index("github_check_runs_pull_idx").on(t.repository, t.pullNumber),
  ],
);
