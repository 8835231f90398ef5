import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { projectRef } from "./auth.ts";

/**
 * Every node of the lineage graph: datasets, jobs and models share one table so edges can have real
 * foreign keys and the impact walk is one recursive query. A dataset is a node of kind `dataset`;
 * its schema head (current version and hash) is kept on the node so "same hash → no new version" is
 * one row read under a row lock. Identity is (project, kind, namespace, name), as in OpenLineage.
 */
export const lineageNodes = pgTable(
  "lineage_nodes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    /** dataset | job | model */
    kind: text("kind").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    /** Datasets: the latest schema version (0 = no snapshot yet) and its hash. */
    currentVersion: integer("current_version").notNull().default(0),
    currentHash: text("current_hash"),
    /** Jobs: the last run seen. */
    lastRunId: text("last_run_id"),
    lastEventType: text("last_event_type"),
    lastEventTime: timestamp("last_event_time", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("lineage_nodes_identity_uq").on(t.projectId, t.kind, t.namespace, t.name),
    index("lineage_nodes_name_idx").on(t.projectId, t.kind, t.name),
  ],
);

/** One row per schema version of a dataset; versions count from 1 and never change once written. */
export const schemaSnapshots = pgTable(
  "schema_snapshots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => lineageNodes.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** `sha256:<hex>` of the canonical form (src/schemas/hash.ts). */
    hash: text("hash").notNull(),
    /** The canonical schema `{ fields: [...] }`. */
    schema: jsonb("schema").notNull(),
    /** The form it arrived in: vigil | jsonschema | openlineage | information_schema | sql. */
    format: text("format").notNull(),
    /** api | lineage */
    source: text("source").notNull(),
    warnings: jsonb("warnings").notNull().default(sql`'[]'::jsonb`),
    /** When the producer observed this schema (OpenLineage eventTime), else when it was received. */
    observedAt: timestamp("observed_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("schema_snapshots_version_uq").on(t.datasetId, t.version)],
);

/** The classified diff between a version and the one before it: one row per change. */
export const schemaChanges = pgTable(
  "schema_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: projectRef(),
    datasetId: uuid("dataset_id")
      .notNull()
      .references(() => lineageNodes.id, { onDelete: "cascade" }),
    /** The version this change led to (the previous one is version − 1). */
    version: integer("version").notNull(),
    /** Position in the diff's list, to return changes in the order diffSchemas gave them. */
    ordinal: integer("ordinal").notNull(),
    kind: text("kind").notNull(),
    path: text("path").notNull(),
    fromValue: text("from_value"),
    toValue: text("to_value"),
    breaking: boolean("breaking").notNull(),
    reason: text("reason").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("schema_changes_version_ordinal_uq").on(t.datasetId, t.version, t.ordinal),
    index("schema_changes_project_created_idx").on(t.projectId, t.createdAt),
  ],
);

/**
 * Directed edges of the lineage graph. `from_field`/`to_field` '' mean the whole node: a job reading
 * a dataset (dataset → job), a job writing one (job → dataset), a model declared without fields.
 * Field-level edges (OpenLineage columnLineage, model inputs) name the fields and, for columnLineage,
 * the job they go through (`via_job_id`). `to_field` '' with a named `from_field` is
 * columnLineage.dataset: the field affects the whole output (a filter or join key).
 */
export const lineageEdges = pgTable(
  "lineage_edges",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: projectRef(),
    fromNode: uuid("from_node")
      .notNull()
      .references(() => lineageNodes.id, { onDelete: "cascade" }),
    fromField: text("from_field").notNull().default(""),
    toNode: uuid("to_node")
      .notNull()
      .references(() => lineageNodes.id, { onDelete: "cascade" }),
    toField: text("to_field").notNull().default(""),
    viaJob: uuid("via_job").references(() => lineageNodes.id, { onDelete: "cascade" }),
    /** openlineage | declared */
    source: text("source").notNull(),
    transformations: jsonb("transformations").notNull().default(sql`'[]'::jsonb`),
    firstSeen: timestamp("first_seen", { withTimezone: true }).notNull().defaultNow(),
    lastSeen: timestamp("last_seen", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("lineage_edges_uq")
      .on(t.projectId, t.fromNode, t.fromField, t.toNode, t.toField, t.viaJob)
      .nullsNotDistinct(),
    index("lineage_edges_from_idx").on(t.projectId, t.fromNode),
    index("lineage_edges_to_idx").on(t.projectId, t.toNode),
  ],
);

/**
 * Who declared which inputs of a model: the PUT route (`api`), each monitor (`monitor:<id>`), a
 * contract. A model's `declared` edges are the union of its declarations, rebuilt on every change, so
 * two monitors of one model add up instead of replacing each other, and deleting one removes only
 * its part.
 */
export const modelInputDeclarations = pgTable(
  "model_input_declarations",
  {
    projectId: projectRef(),
    modelNode: uuid("model_node")
      .notNull()
      .references(() => lineageNodes.id, { onDelete: "cascade" }),
    declaredBy: text("declared_by").notNull(),
    /** [{ dataset, namespace?, fields? }] */
    inputs: jsonb("inputs").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.modelNode, t.declaredBy] }),
    index("model_input_declarations_by_idx").on(t.projectId, t.declaredBy),
  ],
);

/**
 * OpenLineage events as received. The key (runId + eventType + eventTime for run events, the body's
 * hash for JobEvent/DatasetEvent) makes a client's retry a no-op: the event and everything it changed
 * commit together, so a stored key means the whole event was applied.
 */
export const lineageEvents = pgTable(
  "lineage_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: projectRef(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** run | job | dataset */
    kind: text("kind").notNull(),
    runId: text("run_id"),
    eventType: text("event_type"),
    eventTime: timestamp("event_time", { withTimezone: true }),
    jobNamespace: text("job_namespace"),
    jobName: text("job_name"),
    event: jsonb("event").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("lineage_events_idempotency_uq").on(t.projectId, t.idempotencyKey),
    index("lineage_events_run_idx").on(t.projectId, t.runId),
  ],
);
