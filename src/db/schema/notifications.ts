import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { projectRef } from "./auth.ts";
import { incidents } from "./incidents.ts";

/** Where notifications go: a Slack-compatible incoming webhook or a signed generic JSON webhook. */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    name: text("name").notNull(),
    /** slack | webhook */
    type: text("type").notNull(),
    url: text("url").notNull(),
    /** HMAC-SHA256 key for X-Vigil-Signature (webhook channels); needed in clear to sign. */
    secret: text("secret"),
    enabled: boolean("enabled").notNull().default(true),
    /** Attempts before a delivery is dead-lettered. */
    maxAttempts: integer("max_attempts").notNull().default(6),
    /** First retry delay; each retry doubles it (with jitter). */
    retryDelaySeconds: integer("retry_delay_seconds").notNull().default(10),
    /** After a message about an incident, further changes within this window go out as one message. */
    groupWindowSeconds: integer("group_window_seconds").notNull().default(300),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("notification_channels_name_uq").on(t.projectId, t.name)],
);

/** Which incidents go to which channel: by kind, minimum severity and incident event. */
export const notificationRules = pgTable(
  "notification_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    /** Incident kinds; empty = every kind. */
    kinds: text("kinds").array().notNull().default(sql`'{}'::text[]`),
    /** critical | error | warning | info: this severity and worse. */
    minSeverity: text("min_severity").notNull().default("info"),
    /** Incident events that notify: opened, reopened, resolved, acknowledged, severity_changed, retraining_started|succeeded|failed. */
    events: text("events").array().notNull().default(sql`'{opened,reopened,resolved}'::text[]`),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_rules_project_idx").on(t.projectId)],
);

/**
 * One message to one channel about one incident, carrying every incident event grouped into it.
 * status: pending (waiting for its time) → sending → sent | retrying → … → dead (dead letter).
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    incidentId: uuid("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    status: text("status").notNull().default("pending"),
    /** The incident events this message reports: [{ id, type, at, message }]. */
    events: jsonb("events").notNull().default(sql`'[]'::jsonb`),
    notBefore: timestamp("not_before", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    lastError: text("last_error"),
    lastStatus: integer("last_status"),
    /** The request body, frozen at the first attempt so retries send the same bytes. */
    body: text("body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    // At most one not-yet-started message per channel and incident: new events join it (grouping).
    uniqueIndex("notification_deliveries_pending_uq")
      .on(t.channelId, t.incidentId)
      .where(sql`${t.status} = 'pending'`),
    index("notification_deliveries_project_idx").on(t.projectId, t.status, t.createdAt),
    index("notification_deliveries_incident_idx").on(t.channelId, t.incidentId, t.createdAt),
  ],
);
