import { sql } from "drizzle-orm";
import {
  bigserial,
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

/** One row per problem, whatever found it; repeats bump count/last_seen (see src/incidents/record.ts). */
export const incidents = pgTable(
  "incidents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    /** exception | alert | drift | schema | validation */
    kind: text("kind").notNull(),
    fingerprint: text("fingerprint").notNull(),
    title: text("title").notNull(),
    /** open | acknowledged | resolved */
    status: text("status").notNull().default("open"),
    /** critical | error | warning | info */
    severity: text("severity").notNull().default("error"),
    /** Where it came from: a service, a model, a dataset, an alert source. */
    source: text("source"),
    firstSeen: timestamp("first_seen", { withTimezone: true }).notNull(),
    lastSeen: timestamp("last_seen", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(1),
    /** The first occurrence as it was seen (e.g. the first stack trace), kept forever. */
    sample: jsonb("sample").notNull().default(sql`'{}'::jsonb`),
    /** The most recent occurrence. */
    latest: jsonb("latest").notNull().default(sql`'{}'::jsonb`),
    /** Links to the evidence: { traceId, spanId, reportId, changeId, alertFingerprint, ... }. */
    evidence: jsonb("evidence").notNull().default(sql`'{}'::jsonb`),
    labels: jsonb("labels").notNull().default(sql`'{}'::jsonb`),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("incidents_fingerprint_uq").on(t.projectId, t.kind, t.fingerprint),
    index("incidents_project_last_seen_idx").on(t.projectId, t.lastSeen),
  ],
);

/** The timeline of an incident: opened, recurred (sampled), status changes, notes, notifications. */
export const incidentEvents = pgTable(
  "incident_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    incidentId: uuid("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** opened | reopened | acknowledged | resolved | note | notified | ... */
    type: text("type").notNull(),
    actor: text("actor"),
    message: text("message"),
    data: jsonb("data").notNull().default(sql`'{}'::jsonb`),
    /**
     * Set when the event should go out as a notification and has not been routed yet: the timeline is
     * the outbox, so an incident opened by any capability is notified without it knowing about channels.
     */
    pendingDispatch: boolean("pending_dispatch").notNull().default(false),
  },
  (t) => [
    index("incident_events_incident_idx").on(t.incidentId, t.at),
    index("incident_events_pending_dispatch_idx").on(t.id).where(sql`${t.pendingDispatch}`),
  ],
);

/**
 * Alert webhook payloads exactly as received (Alertmanager, Grafana, generic). The unique key makes
 * a sender's retry of the same delivery a no-op: Alertmanager/Grafana retries are byte-identical, so
 * their key is the body's hash, held for VIGIL_ALERT_RETRY_WINDOW_SECONDS (then the row's key becomes
 * `<hash>@<id>`, and the identical body is a new delivery: a repeat notification); generic senders
 * may pass an Idempotency-Key header.
 */
export const alertPayloads = pgTable(
  "alert_payloads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    /** alertmanager | grafana | generic */
    source: text("source").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** The request body byte for byte (as UTF-8 text). */
    body: text("body").notNull(),
    userAgent: text("user_agent"),
    alertCount: integer("alert_count").notNull().default(0),
    /** What it did: [{ fingerprint, incidentId, action }]. */
    result: jsonb("result").notNull().default(sql`'[]'::jsonb`),
  },
  (t) => [
    uniqueIndex("alert_payloads_idempotency_uq").on(t.projectId, t.source, t.idempotencyKey),
    index("alert_payloads_project_received_idx").on(t.projectId, t.receivedAt),
  ],
);
