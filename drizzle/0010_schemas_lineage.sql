CREATE TABLE "lineage_edges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"from_node" uuid NOT NULL,
	"from_field" text DEFAULT '' NOT NULL,
	"to_node" uuid NOT NULL,
	"to_field" text DEFAULT '' NOT NULL,
	"via_job" uuid,
	"source" text NOT NULL,
	"transformations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lineage_edges_uq" UNIQUE NULLS NOT DISTINCT("project_id","from_node","from_field","to_node","to_field","via_job")
);
--> statement-breakpoint
CREATE TABLE "lineage_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"kind" text NOT NULL,
	"run_id" text,
	"event_type" text,
	"event_time" timestamp with time zone,
	"job_namespace" text,
	"job_name" text,
	"event" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lineage_nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"current_version" integer DEFAULT 0 NOT NULL,
	"current_hash" text,
	"last_run_id" text,
	"last_event_type" text,
	"last_event_time" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schema_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"ordinal" integer NOT NULL,
	"kind" text NOT NULL,
	"path" text NOT NULL,
	"from_value" text,
	"to_value" text,
	"breaking" boolean NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schema_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"hash" text NOT NULL,
	"schema" jsonb NOT NULL,
	"format" text NOT NULL,
	"source" text NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_from_node_lineage_nodes_id_fk" FOREIGN KEY ("from_node") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_to_node_lineage_nodes_id_fk" FOREIGN KEY ("to_node") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_via_job_lineage_nodes_id_fk" FOREIGN KEY ("via_job") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_events" ADD CONSTRAINT "lineage_events_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_nodes" ADD CONSTRAINT "lineage_nodes_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schema_changes" ADD CONSTRAINT "schema_changes_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schema_changes" ADD CONSTRAINT "schema_changes_dataset_id_lineage_nodes_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schema_snapshots" ADD CONSTRAINT "schema_snapshots_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schema_snapshots" ADD CONSTRAINT "schema_snapshots_dataset_id_lineage_nodes_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lineage_edges_from_idx" ON "lineage_edges" USING btree ("project_id","from_node");--> statement-breakpoint
CREATE INDEX "lineage_edges_to_idx" ON "lineage_edges" USING btree ("project_id","to_node");--> statement-breakpoint
CREATE UNIQUE INDEX "lineage_events_idempotency_uq" ON "lineage_events" USING btree ("project_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "lineage_events_run_idx" ON "lineage_events" USING btree ("project_id","run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lineage_nodes_identity_uq" ON "lineage_nodes" USING btree ("project_id","kind","namespace","name");--> statement-breakpoint
CREATE INDEX "lineage_nodes_name_idx" ON "lineage_nodes" USING btree ("project_id","kind","name");--> statement-breakpoint
CREATE UNIQUE INDEX "schema_changes_version_ordinal_uq" ON "schema_changes" USING btree ("dataset_id","version","ordinal");--> statement-breakpoint
CREATE INDEX "schema_changes_project_created_idx" ON "schema_changes" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "schema_snapshots_version_uq" ON "schema_snapshots" USING btree ("dataset_id","version");