import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  doublePrecision,
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

/**
 * A drift monitor: which model and features, what to compare (reference vs current window),
 * tests and thresholds, schedule, and what a drifted report triggers (incident, retraining).
 */
export const monitors = pgTable(
  "monitors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    name: text("name").notNull(),
    model: text("model").notNull(),
    /** Feature names; null = every feature seen in the reference. */
    features: jsonb("features"),
    /** { kind: "range", from, to } | { kind: "version", version } | { kind: "rows" } (uploaded set) */
    reference: jsonb("reference").notNull(),
    /** { kind: "window", seconds } | { kind: "rows", last } */
    current: jsonb("current").notNull(),
    /** feature → { test?, threshold?, type? } (defaults from the drift engine) */
    tests: jsonb("tests").notNull().default(sql`'{}'::jsonb`),
    /** { datasetDriftShare?, sampleCap?, seed?, bins? } */
    options: jsonb("options").notNull().default(sql`'{}'::jsonb`),
    /** Seconds between scheduled runs; null = on demand only. */
    scheduleSeconds: integer("schedule_seconds"),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    /** Which outcomes open incidents: { drift: bool, performance: bool, severity } */
    incidentPolicy: jsonb("incident_policy").notNull().default(sql`'{"drift":true}'::jsonb`),
    /** { repo, workflow, ref, cooldownSeconds, on: ["drift"|"performance"] } — used by retraining. */
    retrainPolicy: jsonb("retrain_policy"),
    /** [{ dataset, namespace?, fields? }]: the dataset fields the features come from (model lineage). */
    inputs: jsonb("inputs"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("monitors_name_uq").on(t.projectId, t.name), index("monitors_due_idx").on(t.nextRunAt)],
);

/** An uploaded reference set for a monitor (reference kind "rows"). */
export const monitorReferenceRows = pgTable(
  "monitor_reference_rows",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    monitorId: uuid("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    features: jsonb("features").notNull(),
    output: jsonb("output"),
    label: jsonb("label"),
  },
  (t) => [index("monitor_reference_rows_monitor_idx").on(t.monitorId)],
);

/** One run of a monitor: per-feature tests, prediction drift, performance, embeddings, verdict. */
export const driftReports = pgTable(
  "drift_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    monitorId: uuid("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** schedule | manual */
    trigger: text("trigger").notNull(),
    /** ok | error | insufficient_data */
    status: text("status").notNull(),
    drifted: boolean("drifted").notNull().default(false),
    share: doublePrecision("share"),
    /** The resolved windows: { from, to, rows, sampled } */
    reference: jsonb("reference").notNull().default(sql`'{}'::jsonb`),
    current: jsonb("current").notNull().default(sql`'{}'::jsonb`),
    /** Per-feature results (test, statistic, p-value, threshold, drifted). */
    features: jsonb("features").notNull().default(sql`'[]'::jsonb`),
    prediction: jsonb("prediction"),
    performance: jsonb("performance"),
    embeddings: jsonb("embeddings"),
    sampling: jsonb("sampling"),
    /**
     * Each feature's (and the prediction's) binned reference and current values:
     * { features: [distribution | null, aligned with features], prediction }. Beside `features`
     * rather than in it, so the report list, the dashboards and the metrics scrape do not read
     * them; null for reports made before they were stored.
     */
    distributions: jsonb("distributions"),
    error: text("error"),
    durationMs: integer("duration_ms"),
  },
  (t) => [index("drift_reports_monitor_idx").on(t.monitorId, t.createdAt)],
);

/**
 * What a run learned about a monitor's reference window (row counts, categorical value counts,
 * the seeded sample, labeled pairs), so scheduled runs scan only the current window. Keyed by a
 * hash of everything it depends on; rebuilt after its TTL (late rows in the reference) or when the
 * monitor changes.
 */
export const monitorReferenceCache = pgTable("monitor_reference_cache", {
  monitorId: uuid("monitor_id")
    .primaryKey()
    .references(() => monitors.id, { onDelete: "cascade" }),
  key: text("key").notNull(),
  computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  /** { rows, labeled, counts: { column: [[value, n], ...] } } */
  aggregates: jsonb("aggregates").notNull(),
  /** [{ features, output, label }] */
  sample: jsonb("sample").notNull(),
  /** [{ output, label }] or null when the reference has no labels */
  labeled: jsonb("labeled"),
});
