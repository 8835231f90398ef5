import { sql } from "drizzle-orm";
import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { projects } from "./auth.ts";

/**
 * One row per span. The real table is partitioned by day on start_time (custom migration
 * `spans_partitioned`; Drizzle cannot express partitioning), so the key includes start_time: a
 * client retry repeats the span's start time exactly, so (project, trace, span, start) still makes
 * every retry a no-op. No foreign key to projects: partitions are dropped wholesale by retention.
 */
export const spans = pgTable(
  "spans",
  {
    projectId: uuid("project_id").notNull(),
    /** 32 lowercase hex digits. */
    traceId: text("trace_id").notNull(),
    /** 16 lowercase hex digits. */
    spanId: text("span_id").notNull(),
    parentSpanId: text("parent_span_id"),
    /** Partition key; microsecond precision (start_ns keeps the exact nanoseconds). */
    startTime: timestamp("start_time", { withTimezone: true, precision: 6 }).notNull(),
    startNs: bigint("start_ns", { mode: "bigint" }).notNull(),
    durationNs: bigint("duration_ns", { mode: "bigint" }).notNull(),
    name: text("name").notNull(),
    /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
    kind: smallint("kind").notNull().default(0),
    /** resource service.name ("unknown_service" when absent, as the SDKs do). */
    service: text("service").notNull(),
    /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
    statusCode: smallint("status_code").notNull().default(0),
    statusMessage: text("status_message"),
    traceState: text("trace_state"),
    flags: integer("flags"),
    /**
     * The span's resource and instrumentation scope, stored once per day in span_resources: they
     * are the same for most spans of a service, and inline they were half of every row.
     */
    resourceId: uuid("resource_id"),
    /** Inline { name, version, attributes } of the scope: spans written before span_resources only. */
    scope: jsonb("scope"),
    attributes: jsonb("attributes").notNull().default(sql`'{}'::jsonb`),
    /** Inline resource attributes: spans written before span_resources only. */
    resource: jsonb("resource"),
    /** [{ timeNs, name, attributes, droppedAttributesCount }] */
    events: jsonb("events").notNull().default(sql`'[]'::jsonb`),
    /** [{ traceId, spanId, traceState, attributes, flags }] */
    links: jsonb("links").notNull().default(sql`'[]'::jsonb`),
    /** { attributes, events, links } counts the SDK dropped; `{}` when all are 0. */
    dropped: jsonb("dropped").notNull().default(sql`'{}'::jsonb`),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "spans_pkey", columns: [t.projectId, t.traceId, t.spanId, t.startTime] }),
    index("spans_project_start_idx").on(t.projectId, t.startTime),
    index("spans_project_service_start_idx").on(t.projectId, t.service, t.startTime),
  ],
);

/**
 * The resources and instrumentation scopes spans came from, once per project and UTC day (so the
 * retention that drops a day's partition drops its resources too). `id` is the md5 of
 * `[resource, scope]` as JSON with sorted keys (src/traces/store/copy-text.ts resourceId), so equal content
 * is one row whichever batch or process wrote it first.
 */
export const spanResources = pgTable(
  "span_resources",
  {
    projectId: uuid("project_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    id: uuid("id").notNull(),
    /** Resource attributes (service.name included). */
    resource: jsonb("resource").notNull(),
    /** { name, version, attributes } of the instrumentation scope. */
    scope: jsonb("scope").notNull(),
  },
  (t) => [primaryKey({ name: "span_resources_pkey", columns: [t.projectId, t.day, t.id] })],
);

/**
 * Accepted OTLP batches not yet written to `spans` (src/traces/store/writer.ts): the receiver commits a
 * batch here — one row, one statement — and answers; the span writer moves it into `spans` (with
 * its incidents and predictions) in one transaction that also deletes it. So a 200 means the batch
 * is durable, and its latency does not include the span insert.
 */
export const spanBatches = pgTable("span_batches", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  projectId: uuid("project_id")
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  spanCount: integer("span_count").notNull(),
  /** The UTC days (YYYY-MM-DD) the spans start on: the partitions the write needs. */
  days: text("days").array().notNull(),
  /**
   * How `rows` and `resources` are laid out (src/traces/store/copy-text.ts): 2 since span_resources (COPY
   * text); 1 for batches queued by an earlier Vigil, which the writer converts before writing them.
   */
  format: smallint("format").notNull().default(2),
  /** The spans as COPY text and their resources as JSON, prepared at acceptance (store.ts batchRows). */
  rows: text("rows").notNull(),
  resources: text("resources").notNull(),
  /** The spans that carry exceptions or prediction logs (JSON SpanRecords): what the write derives from. */
  derived: text("derived").notNull().default("[]"),
  /** Failed writes (not counting the database being unavailable); retried with backoff up to a limit. */
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  failedAt: timestamp("failed_at", { withTimezone: true }),
});
