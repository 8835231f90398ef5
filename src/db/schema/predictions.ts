import { sql } from "drizzle-orm";
import {
  bigint,
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
 * Prediction logs: what a model saw (features) and said (output), with ground truth joined later.
 * Idempotent by (project, model, request_id); NULL request ids are distinct, so rows without one are
 * always new. Rows that break the model's contract are stored with `validation` set and `flagged`.
 * No foreign key to projects, as spans have none: the project is the API key's, so it exists, and
 * the key check was a query per stored row, a fifth of a COPY's time on the embedded database.
 */
export const predictions = pgTable(
  "predictions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull(),
    model: text("model").notNull(),
    modelVersion: text("model_version"),
    ts: timestamp("ts", { withTimezone: true }).notNull(),
    requestId: text("request_id"),
    features: jsonb("features").notNull().default(sql`'{}'::jsonb`),
    output: jsonb("output"),
    label: jsonb("label"),
    labeledAt: timestamp("labeled_at", { withTimezone: true }),
    /** Contract violations of this row: [{ field, rule, message }]; null when it passed or no contract. */
    validation: jsonb("validation"),
    flagged: boolean("flagged").notNull().default(false),
    /** api | trace */
    source: text("source").notNull().default("api"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Request id before model: labels name a request id without (always) naming the model, so the
    // one index serves idempotency (ON CONFLICT) and the label join alike.
    uniqueIndex("predictions_request_uq").on(t.projectId, t.requestId, t.model),
    index("predictions_model_ts_idx").on(t.projectId, t.model, t.ts),
    // Retention deletes by age across every model: a BRIN index is a few pages and costs ingest
    // almost nothing, as rows mostly arrive in time order.
    index("predictions_ts_brin").using("brin", t.ts),
  ],
);

/**
 * Ground truth by request id. Kept on its own so a label that arrives before its prediction
 * (or for a prediction that never arrives) is not lost; `model` '' means "any model".
 */
export const predictionLabels = pgTable(
  "prediction_labels",
  {
    projectId: projectRef(),
    model: text("model").notNull().default(""),
    requestId: text("request_id").notNull(),
    label: jsonb("label").notNull(),
    ts: timestamp("ts", { withTimezone: true }).notNull().defaultNow(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("prediction_labels_uq").on(t.projectId, t.model, t.requestId),
    index("prediction_labels_request_idx").on(t.projectId, t.requestId),
  ],
);

/** A data contract for one model's prediction logs: field rules, batch rules, thresholds. */
export const contracts = pgTable(
  "contracts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    model: text("model").notNull(),
    /** field name → rule (see src/schemas/contracts/rules.ts). */
    fields: jsonb("fields").notNull().default(sql`'{}'::jsonb`),
    /** { minRows?, maxRows?, freshnessSeconds?, windowSeconds? } */
    batch: jsonb("batch").notNull().default(sql`'{}'::jsonb`),
    /** Share of violating rows in an ingest batch above which a `validation` incident opens. */
    violationThreshold: doublePrecision("violation_threshold").notNull().default(0.05),
    /** Report fields not in the contract, and contract fields missing from a batch, as `schema` incidents. */
    detectSchemaChanges: boolean("detect_schema_changes").notNull().default(true),
    version: integer("version").notNull().default(1),
    /** api | inferred */
    origin: text("origin").notNull().default("api"),
    /** Where the model's fields come from: [{ dataset, namespace?, fields? }], declared to lineage. */
    sources: jsonb("sources"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("contracts_model_uq").on(t.projectId, t.model)],
);

/**
 * A data contract for one dataset (lineage namespace + name): field rules checked against each new
 * schema snapshot, row-count rules against OpenLineage outputStatistics, freshness against the last
 * write. The last write is kept here, so the freshness check needs no scan of lineage events.
 */
export const datasetContracts = pgTable(
  "dataset_contracts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: projectRef(),
    namespace: text("namespace").notNull(),
    dataset: text("dataset").notNull(),
    /** field name (dotted for nested fields) → rule, the same rules as model contracts. */
    fields: jsonb("fields").notNull().default(sql`'{}'::jsonb`),
    /** { minRows?, maxRows?, freshnessSeconds? } */
    batch: jsonb("batch").notNull().default(sql`'{}'::jsonb`),
    version: integer("version").notNull().default(1),
    /** When the dataset was last written (snapshot or OpenLineage output), and the rows it had. */
    lastWrittenAt: timestamp("last_written_at", { withTimezone: true }),
    lastRowCount: bigint("last_row_count", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("dataset_contracts_uq").on(t.projectId, t.namespace, t.dataset)],
);
